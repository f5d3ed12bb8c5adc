#include "lake/partition_versions.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "lake/layout.hpp"
#include "lake/local_object_store.hpp"
#include "lake/partition_commit.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::lake {
namespace {

// Publishes one partition whose single file holds `bytes` (as an engine would write it).
void publish(LocalObjectStore& store, std::string_view dt, std::string_view bytes) {
  auto commit = PartitionCommit::open(store, "t", dt);
  ASSERT_TRUE(commit);
  std::ofstream(commit->file(0), std::ios::binary) << bytes;
  ASSERT_TRUE(commit->publish());
}

TEST(PartitionVersions, APublishRecordsTheVersionOfWhatIsThere) {
  testing::TempDir dir;
  LocalObjectStore store(dir.path());
  publish(store, "2024-01-01", "first");
  publish(store, "2024-01-02", "second");
  auto versions = partition_versions(store, "t");
  ASSERT_TRUE(versions) << versions.error().message;
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ(versions->at("2024-01-01"), *hash_partition(store, "t", "2024-01-01"));
  EXPECT_NE(versions->at("2024-01-01"), versions->at("2024-01-02"));
  const std::string before = *table_version(store, "t");

  publish(store, "2024-01-02", "second, corrected");
  const auto after = *partition_versions(store, "t");
  EXPECT_EQ(after.at("2024-01-01"), versions->at("2024-01-01"));
  EXPECT_NE(after.at("2024-01-02"), versions->at("2024-01-02"));
  EXPECT_NE(*table_version(store, "t"), before);

  // The same content again is the same version.
  publish(store, "2024-01-02", "second");
  EXPECT_EQ(*table_version(store, "t"), before);
}

// A run killed between publish and record leaves no version: the next reader computes it from
// the files rather than trusting a stale one.
TEST(PartitionVersions, AMissingVersionIsComputedFromTheFiles) {
  testing::TempDir dir;
  LocalObjectStore store(dir.path());
  publish(store, "2024-01-01", "first");
  const std::string recorded = *store.get(layout::partition_version_key("t", "2024-01-01"));
  ASSERT_TRUE(forget_partition_version(store, "t", "2024-01-01"));
  ASSERT_FALSE(store.get(layout::partition_version_key("t", "2024-01-01")));
  const auto versions = *partition_versions(store, "t");
  EXPECT_EQ(versions.at("2024-01-01"), recorded);
  EXPECT_EQ(*store.get(layout::partition_version_key("t", "2024-01-01")), recorded);
}

}  // namespace
}  // namespace cryptolake::lake
