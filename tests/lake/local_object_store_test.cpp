#include "lake/local_object_store.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace cryptolake::lake {
namespace {

namespace fs = std::filesystem;

TEST(LocalObjectStore, PutGetListRemove) {
  testing::TempDir dir;
  LocalObjectStore store(dir.path());
  ASSERT_TRUE(store.put("a/b/one.txt", "1"));
  ASSERT_TRUE(store.put("a/two.txt", "22"));
  ASSERT_TRUE(store.put("c/three.txt", "333"));
  EXPECT_EQ(*store.get("a/two.txt"), "22");
  EXPECT_EQ(*store.list("a/"), (std::vector<std::string>{"a/b/one.txt", "a/two.txt"}));
  EXPECT_EQ(store.list("")->size(), 3u);
  EXPECT_TRUE(store.list("missing/")->empty());
  ASSERT_TRUE(store.remove("a/two.txt"));
  ASSERT_TRUE(store.remove("a/two.txt"));  // removing a missing object is fine
  EXPECT_EQ(store.get("a/two.txt").error().code, core::ErrorCode::not_found);
}

TEST(LocalObjectStore, KeysAreTheSameWhateverTheRootsSpelling) {
  testing::TempDir dir;
  lake::LocalObjectStore plain(dir.path());
  ASSERT_TRUE(plain.put("raw/a/dt=2024-01-01/x.ndjson", "1"));
  ASSERT_TRUE(plain.put("curated/t/dt=2024-01-01/part-0.parquet", "2"));
  const std::vector<std::string> expected = {"curated/t/dt=2024-01-01/part-0.parquet", "raw/a/dt=2024-01-01/x.ndjson"};
  EXPECT_EQ(plain.list(""), expected);
  lake::LocalObjectStore slash(dir.path().string() + "/");
  EXPECT_EQ(slash.list(""), expected);
  EXPECT_EQ(slash.list("raw/"), std::vector<std::string>{expected[1]});
  EXPECT_EQ(slash.location("raw/a"), plain.location("raw/a"));
}

TEST(LocalObjectStore, PutReplacesWholeObjectsAndLeavesNoTempFiles) {
  testing::TempDir dir;
  LocalObjectStore store(dir.path(), {.sync = true});
  ASSERT_TRUE(store.put("x/obj", std::string(100000, 'a')));
  ASSERT_TRUE(store.put("x/obj", "short"));
  EXPECT_EQ(*store.get("x/obj"), "short");
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path() / "x")) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "obj");
  }
  EXPECT_EQ(files, 1u);
}

TEST(LocalObjectStore, NeverListsUnfinishedWork) {
  testing::TempDir dir;
  LocalObjectStore store(dir.path());
  ASSERT_TRUE(store.put("t/dt=1/part-0.parquet", "done"));
  fs::create_directories(dir.path() / "t/_staging/dt=2-1-0");
  std::ofstream(dir.path() / "t/_staging/dt=2-1-0/part-0.parquet") << "half";
  std::ofstream(dir.path() / "t/dt=1/.tmp-part-1.parquet-99-0") << "half";
  EXPECT_EQ(*store.list("t/"), std::vector<std::string>{"t/dt=1/part-0.parquet"});
  ASSERT_TRUE(store.remove_stale_staging("t/"));
  EXPECT_FALSE(fs::exists(dir.path() / "t/_staging"));
  EXPECT_FALSE(fs::exists(dir.path() / "t/dt=1/.tmp-part-1.parquet-99-0"));
  EXPECT_TRUE(fs::exists(dir.path() / "t/dt=1/part-0.parquet"));
}

// One level down, as S3's common prefixes: folders holding objects, never staging or temp ones.
TEST(LocalObjectStore, ListsThePrefixesOneLevelDown) {
  testing::TempDir dir;
  LocalObjectStore store(dir.path());
  ASSERT_TRUE(store.put("raw/b/klines/dt=1/x", "1"));
  ASSERT_TRUE(store.put("raw/a/tweets/y", "2"));
  ASSERT_TRUE(store.put("raw/top-level-object", "3"));
  fs::create_directories(dir.path() / "raw/_staging/c-1-0");
  fs::create_directories(dir.path() / "raw/.tmp-d");
  EXPECT_EQ(*store.list_prefixes("raw/"), (std::vector<std::string>{"raw/a/", "raw/b/"}));
  EXPECT_EQ(*store.list_prefixes("raw/b/"), std::vector<std::string>{"raw/b/klines/"});
  EXPECT_TRUE(store.list_prefixes("raw/b/klines/dt=1/")->empty());
  EXPECT_TRUE(store.list_prefixes("nothing/")->empty());
}

TEST(LocalObjectStore, PublishSwapsAWholePartition) {
  testing::TempDir dir;
  LocalObjectStore store(dir.path());
  // An engine writes the staged files through their location, as DuckDB's COPY does.
  const auto stage = [&](std::initializer_list<std::pair<const char*, const char*>> files) {
    const std::string staged = *store.stage("t/dt=1");
    EXPECT_TRUE(store.list("t/")->size() <= 2u);  // staging is never listed
    for (const auto& [name, body] : files) std::ofstream(store.location(staged + name)) << body;
    return staged;
  };
  ASSERT_TRUE(store.publish(stage({{"part-0.parquet", "v1"}, {"part-1.parquet", "v1"}}), "t/dt=1"));
  EXPECT_EQ(store.list("t/")->size(), 2u);
  // The replacement has one file: the old second file must not survive.
  ASSERT_TRUE(store.publish(stage({{"part-0.parquet", "v2"}}), "t/dt=1"));
  EXPECT_EQ(*store.list("t/"), std::vector<std::string>{"t/dt=1/part-0.parquet"});
  EXPECT_EQ(*store.get("t/dt=1/part-0.parquet"), "v2");
  EXPECT_FALSE(fs::exists(dir.path() / "t/_staging") && !fs::is_empty(dir.path() / "t/_staging"));
}

}  // namespace
}  // namespace cryptolake::lake

#include "lake/partition_commit.hpp"
#include "lake/layout.hpp"

namespace cryptolake::lake {
namespace {

TEST(CuratedKey, TableAndDayOfDataFilesOnly) {
  const auto key = layout::parse_curated_key("curated/market_ohlcv/dt=2024-01-02/part-0.parquet");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->table, "market_ohlcv");
  EXPECT_EQ(key->dt, "2024-01-02");
  EXPECT_FALSE(layout::parse_curated_key("curated/market_ohlcv/_staging/dt=2024-01-02-1-0/part-0.parquet"));
  EXPECT_FALSE(layout::parse_curated_key("curated/market_ohlcv/dt=2024-01-02/notes.txt"));
  EXPECT_FALSE(layout::parse_curated_key("raw/x/klines/dt=2024-01-02/hour=00/b.ndjson.zst"));
}

}  // namespace
}  // namespace cryptolake::lake
