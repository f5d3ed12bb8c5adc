// What only the local log has: files, a torn tail after a crash, retention, one writer per partition.
#include "bus/local_log.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <fstream>

#include <fmt/format.h>

#include "io/manual_clock.hpp"
#include "support/temp_dir.hpp"

namespace cryptolake::bus {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::vector<fs::path> segments(const fs::path& partition_dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(partition_dir)) {
    if (entry.path().extension() == ".log") files.push_back(entry.path());
  }
  std::ranges::sort(files);
  return files;
}

std::vector<Record> read_all(LocalLogBus& bus, const std::string& group, const std::string& topic) {
  auto consumer = bus.consumer(group, {topic});
  EXPECT_TRUE(consumer) << consumer.error().message;
  std::vector<Record> all;
  for (;;) {
    auto batch = (*consumer)->poll(100000, milliseconds(20));
    EXPECT_TRUE(batch) << batch.error().message;
    if (!batch || batch->empty()) return all;
    std::move(batch->begin(), batch->end(), std::back_inserter(all));
  }
}

// A crash mid-append leaves part of a record at the end of the segment. The next writer finds
// it by length and CRC, truncates it, and goes on from the last whole record's offset; readers
// never see the torn bytes.
TEST(LocalLog, ATornTailIsTruncatedAndOffsetsContinue) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-03-01T00:00:00Z"));
  LocalLogOptions options;
  options.partitions = 1;
  LocalLogBus bus(dir.path(), options, clock);
  {
    auto producer = *bus.producer();
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(producer->produce("t", "k", fmt::format("v{}", i)));
    ASSERT_TRUE(producer->flush());
  }
  const fs::path segment = segments(dir.path() / "t" / "0").back();
  const auto whole = fs::file_size(segment);
  {
    std::ofstream out(segment, std::ios::binary | std::ios::app);
    out << std::string("\x30\x00\x00\x00\x12\x34", 6);  // a header promising 48 bytes, then nothing
  }
  EXPECT_EQ(read_all(bus, "before", "t").size(), 10u);  // a reader stops before the torn record
  {
    auto producer = *bus.producer();
    ASSERT_TRUE(producer->produce("t", "k", "v10"));
    ASSERT_TRUE(producer->flush());
  }
  EXPECT_GT(fs::file_size(segment), whole);
  const std::vector<Record> all = read_all(bus, "after", "t");
  ASSERT_EQ(all.size(), 11u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].offset, static_cast<int64_t>(i));
    EXPECT_EQ(all[i].value, fmt::format("v{}", i));
  }
  EXPECT_EQ(all.back().timestamp_ms, clock.now().micros() / 1000);
}

// A flipped byte inside a record is corruption, reported, not skipped silently.
TEST(LocalLog, ACorruptRecordInTheMiddleIsAnError) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-03-01T00:00:00Z"));
  LocalLogBus bus(dir.path(), {.partitions = 1}, clock);
  auto producer = *bus.producer();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(producer->produce("t", "k", fmt::format("value-{}", i)));
  ASSERT_TRUE(producer->flush());
  const fs::path segment = segments(dir.path() / "t" / "0").back();
  {
    std::fstream io(segment, std::ios::binary | std::ios::in | std::ios::out);
    io.seekp(40);
    io.put('X');
  }
  auto consumer = *bus.consumer("g", {"t"});
  auto batch = consumer->poll(100, milliseconds(20));
  ASSERT_FALSE(batch);
  EXPECT_NE(batch.error().message.find("corrupt"), std::string::npos) << batch.error().message;
}

// Segments roll at their size; retention drops the oldest whole segments beyond the byte limit or
// the age (by the bus's clock), never the one being written; a group behind them reads on from
// the oldest record left.
TEST(LocalLog, SegmentsRollAndRetentionDropsTheOldest) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-03-01T00:00:00Z"));
  LocalLogOptions options;
  options.partitions = 1;
  options.segment_bytes = 4096;
  options.retention_bytes = 0;
  options.retention_age = std::chrono::hours(24);
  LocalLogBus bus(dir.path(), options, clock);
  auto producer = *bus.producer();
  const std::string value(200, 'x');
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(producer->produce("t", "k", value));
    ASSERT_TRUE(producer->flush());
  }
  const auto rolled = segments(dir.path() / "t" / "0");
  ASSERT_GE(rolled.size(), 5u);
  EXPECT_EQ(*bus.enforce_retention(), 0u);  // all young, no byte limit

  // The first two segments were last written two days before the clock's now.
  const auto old = std::chrono::file_clock::from_sys(std::chrono::sys_time<std::chrono::microseconds>(
      std::chrono::microseconds(clock.now().micros() - 48LL * 3600 * 1000000)));
  fs::last_write_time(rolled[0], old);
  fs::last_write_time(rolled[1], old);
  EXPECT_EQ(*bus.enforce_retention(), 2u);
  const auto left = segments(dir.path() / "t" / "0");
  EXPECT_EQ(left.front(), rolled[2]);
  const std::vector<Record> all = read_all(bus, "late-group", "t");
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().offset, std::stoll(rolled[2].stem().string()));
  EXPECT_EQ(all.back().offset, 99);
}

// end_offsets reads on from where it last found a partition's end (it is asked after every
// micro-batch): it follows appends, stops before a torn tail and goes on once that is truncated,
// follows a rolled segment, and starts over on a segment that is another file (a log wiped and
// written again, here with shorter records, so the old position falls inside one).
TEST(LocalLog, EndOffsetsFollowAppendsTornTailsRollsAndARewrittenLog) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-03-01T00:00:00Z"));
  const LocalLogOptions options{.partitions = 1, .segment_bytes = 4096};
  LocalLogBus bus(dir.path(), options, clock);
  const auto end = [&] {
    auto ends = bus.end_offsets("t");
    EXPECT_TRUE(ends) << ends.error().message;
    return ends && ends->size() == 1 ? ends->front().offset : -1;
  };
  const auto append = [&](int count, size_t value_size) {
    auto producer = *bus.producer();
    for (int i = 0; i < count; ++i) ASSERT_TRUE(producer->produce("t", "k", std::string(value_size, 'x')));
    ASSERT_TRUE(producer->flush());
  };
  append(5, 100);
  EXPECT_EQ(end(), 5);
  append(3, 100);
  EXPECT_EQ(end(), 8);
  const fs::path segment = segments(dir.path() / "t" / "0").back();
  {
    std::ofstream out(segment, std::ios::binary | std::ios::app);
    out << std::string("\x30\x00\x00\x00\x12\x34", 6);  // a torn record
  }
  EXPECT_EQ(end(), 8);
  append(2, 100);  // truncates the torn tail first
  EXPECT_EQ(end(), 10);
  append(40, 100);  // past 4096 bytes: a new segment
  ASSERT_GE(segments(dir.path() / "t" / "0").size(), 2u);
  EXPECT_EQ(end(), 50);

  fs::remove_all(dir.path() / "t");
  ASSERT_TRUE(bus.create_topics({"t"}));
  append(3, 100);
  EXPECT_EQ(end(), 3);
  fs::remove_all(dir.path() / "t");
  ASSERT_TRUE(bus.create_topics({"t"}));
  append(12, 37);  // 66-byte records: byte 258, where the old end's last record began, is inside the fourth
  EXPECT_EQ(end(), 12);
  LocalLogBus fresh(dir.path(), options, clock);
  EXPECT_EQ(fresh.end_offsets("t")->front().offset, 12);
}

TEST(LocalLog, OnePartitionHasOneWriter) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-03-01T00:00:00Z"));
  LocalLogBus bus(dir.path(), {.partitions = 1}, clock);
  auto first = *bus.producer();
  ASSERT_TRUE(first->produce("t", "k", "a"));
  auto second = *bus.producer();
  auto refused = second->produce("t", "k", "b");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("another producer"), std::string::npos);
}

// Polls once; adds the partitions read from to `partitions`; returns how many records came.
size_t poll_partitions(Consumer& consumer, std::set<int32_t>& partitions) {
  const auto batch = consumer.poll(1000, milliseconds(10));
  EXPECT_TRUE(batch) << batch.error().message;
  if (!batch) return 0;
  for (const Record& r : *batch) partitions.insert(r.partition);
  return batch->size();
}

// Two members of one group split the partitions; when one goes, the other takes all of them
// from the group's committed offsets.
TEST(LocalLog, MembersOfAGroupSplitThePartitions) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-03-01T00:00:00Z"));
  LocalLogBus bus(dir.path(), {.partitions = 4}, clock);
  auto producer = *bus.producer();
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(producer->produce("t", fmt::format("key{}", i % 40), std::to_string(i)));
  ASSERT_TRUE(producer->flush());

  auto a = *bus.consumer("g", {"t"});
  auto b = *bus.consumer("g", {"t"});
  std::this_thread::sleep_for(milliseconds(600));  // a's next poll sees b
  std::set<int32_t> of_a, of_b;
  size_t count = 0;
  for (int round = 0; round < 5; ++round) {
    count += poll_partitions(*a, of_a);
    count += poll_partitions(*b, of_b);
  }
  EXPECT_EQ(of_a.size(), 2u);
  EXPECT_EQ(of_b.size(), 2u);
  for (int32_t p : of_a) EXPECT_FALSE(of_b.contains(p)) << p;
  EXPECT_GE(count, 400u);  // a may have read b's partitions before b joined

  b.reset();  // b is gone: a takes everything from the committed offsets (none: all of it)
  std::this_thread::sleep_for(milliseconds(600));
  std::set<int32_t> now_a;
  for (int round = 0; round < 3; ++round) poll_partitions(*a, now_a);
  EXPECT_EQ(now_a.size(), 2u);  // the two it did not own before come from offset 0
  for (int32_t p : now_a) EXPECT_TRUE(of_b.contains(p)) << p;
}

// A backlog is read oldest first across the partitions, however unevenly its keys fill them: a
// poll of N records gives the N produced first, not N / partitions from each.
TEST(LocalLog, APollTakesTheOldestRecordsAcrossPartitions) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-03-01T00:00:00Z"));
  LocalLogBus bus(dir.path(), {.partitions = 2}, clock);
  auto producer = *bus.producer();
  // Where keys go, read back: one key of the emptier partition alone, against all of the other's.
  for (int k = 0; k < 8; ++k) ASSERT_TRUE(producer->produce("pilot", fmt::format("key{}", k), ""));
  ASSERT_TRUE(producer->flush());
  std::map<int32_t, std::vector<std::string>> keys_in;
  for (const Record& r : read_all(bus, "g", "pilot")) keys_in[r.partition].push_back(r.key);
  ASSERT_EQ(keys_in.size(), 2u);
  const bool first_emptier = keys_in[0].size() <= keys_in[1].size();
  const std::string solo = keys_in[first_emptier ? 0 : 1].front();
  const std::vector<std::string> crowd = keys_in[first_emptier ? 1 : 0];
  ASSERT_GE(crowd.size(), 4u);

  constexpr int kTicks = 100;
  for (int tick = 0; tick < kTicks; ++tick) {
    clock.advance(1000);  // a millisecond a tick: records of one tick share their timestamp
    ASSERT_TRUE(producer->produce("t", solo, std::to_string(tick)));
    for (const std::string& key : crowd) ASSERT_TRUE(producer->produce("t", key, std::to_string(tick)));
  }
  ASSERT_TRUE(producer->flush());

  auto consumer = *bus.consumer("g", {"t"});
  const size_t per_tick = 1 + crowd.size();
  const auto first = consumer->poll(kTicks / 2 * per_tick, milliseconds(20));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->size(), kTicks / 2 * per_tick);
  std::map<std::string, int> ticks_of;  // records per key in the first poll
  for (size_t i = 0; i < first->size(); ++i) {
    const Record& r = (*first)[i];
    EXPECT_LT(std::stoi(r.value), kTicks / 2) << r.key;
    if (i > 0) {
      EXPECT_LE((*first)[i - 1].timestamp_ms, r.timestamp_ms) << i;
    }
    ++ticks_of[r.key];
  }
  EXPECT_EQ(ticks_of[solo], kTicks / 2);  // an equal share of each partition: (1 + crowd) / 2 times as many
  for (const std::string& key : crowd) EXPECT_EQ(ticks_of[key], kTicks / 2) << key;
  const auto rest = consumer->poll(kTicks * per_tick, milliseconds(20));
  ASSERT_TRUE(rest) << rest.error().message;
  ASSERT_EQ(rest->size(), kTicks / 2 * per_tick);
  for (const Record& r : *rest) EXPECT_GE(std::stoi(r.value), kTicks / 2) << r.key;
}

// A member gives a partition up only once what it read there is committed, and commits only
// partitions it holds: no record is read by two members of a group.
TEST(LocalLog, APartitionChangesHandsOnlyOnceItsReadsAreCommitted) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-03-01T00:00:00Z"));
  LocalLogBus bus(dir.path(), {.partitions = 4}, clock);
  auto producer = *bus.producer();
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(producer->produce("t", fmt::format("key{}", i % 40), std::to_string(i)));
  ASSERT_TRUE(producer->flush());

  auto a = *bus.consumer("g", {"t"});
  std::vector<Position> read_by_a;
  auto first = a->poll(1000, milliseconds(50));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 400u);  // alone: every partition
  std::map<int32_t, int64_t> next;
  for (const Record& r : *first) next[r.partition] = r.offset + 1;
  auto b = *bus.consumer("g", {"t"});
  std::this_thread::sleep_for(milliseconds(600));
  // a has not committed: it keeps all four, and b gets nothing yet.
  auto nothing = b->poll(1000, milliseconds(50));
  ASSERT_TRUE(nothing);
  EXPECT_TRUE(nothing->empty());
  EXPECT_TRUE(b->awaiting_partitions());  // nothing to read, but not idle: two are on their way
  EXPECT_FALSE(a->awaiting_partitions());
  ASSERT_TRUE(a->poll(1000, milliseconds(10)));
  EXPECT_FALSE(b->commit({{"t", 0, 5}}));  // not b's
  for (const auto& [partition, offset] : next) read_by_a.push_back({"t", partition, offset});
  ASSERT_TRUE(a->commit(read_by_a));
  std::this_thread::sleep_for(milliseconds(600));
  ASSERT_TRUE(a->poll(1000, milliseconds(10)));  // a lets two go
  std::this_thread::sleep_for(milliseconds(600));
  auto after = b->poll(1000, milliseconds(50));
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());  // from the committed offsets: nothing left to read twice
  EXPECT_FALSE(b->awaiting_partitions());
  auto positions = b->committed();
  ASSERT_TRUE(positions);
  EXPECT_EQ(positions->size(), 2u);
  for (const Position& p : *positions) EXPECT_EQ(p.offset, next[p.partition]);
}

}  // namespace
}  // namespace cryptolake::bus

namespace cryptolake::bus {
namespace {

// A member joining while others look over the group is seen by all of them: its file appears
// only once it holds its lock, so no one takes it for a dead member's and removes it (the member
// would then be alone in its own view, the others never leaving it a partition).
TEST(LocalLog, MembersJoiningAtOnceAreAllSeen) {
  testing::TempDir dir;
  io::ManualClock clock(*core::Timestamp::parse_iso("2024-03-01T00:00:00Z"));
  LocalLogBus bus(dir.path(), {.partitions = 4}, clock);
  ASSERT_TRUE(bus.create_topics({"t"}));
  constexpr int kPerThread = 250;
  std::vector<std::unique_ptr<Consumer>> members[2];
  std::vector<std::thread> joiners;
  for (auto& mine : members) {
    joiners.emplace_back([&bus, &mine] {
      for (int i = 0; i < kPerThread; ++i) {
        auto member = bus.consumer("g", {"t"});  // joining looks over every member there
        ASSERT_TRUE(member) << member.error().message;
        mine.push_back(std::move(*member));
      }
    });
  }
  for (std::thread& t : joiners) t.join();
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path() / "_groups" / "g" / "members")) ++files;
  EXPECT_EQ(files, 2u * kPerThread);
}

}  // namespace
}  // namespace cryptolake::bus
