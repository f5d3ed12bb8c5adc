#include "bus/local_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/decimal.hpp"
#include "core/hash.hpp"

namespace cryptolake::bus {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::fail;

namespace {

constexpr size_t kHeader = 8;                   // length, CRC
constexpr size_t kBodyFixed = 8 + 8 + 4;        // offset, timestamp, key length
constexpr uint32_t kMaxRecord = 64u << 20;      // a longer length is a torn or foreign file
constexpr size_t kReadChunk = size_t{1} << 20;  // a consumer's read of a segment

// CRC-32 as zlib computes it (the log's format), by libdeflate: 5× zlib's speed on a record.
uint32_t crc_of(std::string_view body) { return libdeflate_crc32(0, body.data(), body.size()); }

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

template <typename T>
T get(const char* at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

void encode(std::string& out, int64_t offset, int64_t timestamp_ms, std::string_view key, std::string_view value) {
  const size_t start = out.size();
  out.append(kHeader, '\0');
  put<int64_t>(out, offset);
  put<int64_t>(out, timestamp_ms);
  put<uint32_t>(out, static_cast<uint32_t>(key.size()));
  out.append(key);
  out.append(value);
  const std::string_view body(out.data() + start + kHeader, out.size() - start - kHeader);
  const uint32_t length = static_cast<uint32_t>(body.size()), crc = crc_of(body);
  std::memcpy(out.data() + start, &length, 4);
  std::memcpy(out.data() + start + 4, &crc, 4);
}

enum class Parse { record, incomplete, corrupt };

// Parses the record at the start of `bytes`; `size` receives its length on disk.
Parse parse(std::string_view bytes, Record& record, size_t& size) {
  if (bytes.size() < kHeader) return Parse::incomplete;
  const auto length = get<uint32_t>(bytes.data());
  const auto crc = get<uint32_t>(bytes.data() + 4);
  if (length < kBodyFixed || length > kMaxRecord) return Parse::corrupt;
  if (bytes.size() < kHeader + length) return Parse::incomplete;
  const std::string_view body = bytes.substr(kHeader, length);
  if (crc_of(body) != crc) return Parse::corrupt;
  const auto key_length = get<uint32_t>(body.data() + 16);
  if (kBodyFixed + key_length > length) return Parse::corrupt;
  record.offset = get<int64_t>(body.data());
  record.timestamp_ms = get<int64_t>(body.data() + 8);
  record.key.assign(body.substr(kBodyFixed, key_length));
  record.value.assign(body.substr(kBodyFixed + key_length));
  size = kHeader + length;
  return Parse::record;
}

fs::path partition_dir(const fs::path& dir, std::string_view topic, int32_t partition) { return dir / topic / std::to_string(partition); }

std::string segment_name(int64_t base) { return fmt::format("{:020d}.log", base); }

// The partition's segments by base offset.
std::map<int64_t, fs::path> segments_of(const fs::path& pdir) {
  std::map<int64_t, fs::path> segments;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(pdir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".log")) continue;
    if (const auto base = core::parse_int(name.substr(0, name.size() - 4))) segments[*base] = entry.path();
  }
  return segments;
}

core::Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return fail(ErrorCode::io_error, "cannot read {}", path.string());
  std::string bytes(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) return fail(ErrorCode::io_error, "cannot read {}", path.string());
  return bytes;
}

core::Status write_atomically(const fs::path& path, std::string_view text, bool sync) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  // A temp name of this process and call: two processes creating one topic at once must not
  // write or rename each other's file.
  static std::atomic<uint64_t> calls{0};
  const fs::path temp = fmt::format("{}.tmp.{}.{}", path.string(), ::getpid(), calls.fetch_add(1));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(ErrorCode::io_error, "cannot write {}: {}", temp.string(), std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && (!sync || ::fsync(fd) == 0);
  ::close(fd);
  if (!written) return fail(ErrorCode::io_error, "cannot write {}: {}", temp.string(), std::strerror(errno));
  fs::rename(temp, path, ec);
  if (ec) return fail(ErrorCode::io_error, "cannot write {}: {}", path.string(), ec.message());
  return {};
}

// An open file descriptor, closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// The end of the valid records of a segment: (bytes, next offset). Stops at the first record that
// is cut short or fails its CRC.
struct SegmentEnd {
  size_t valid_bytes = 0;
  int64_t next_offset = 0;
  bool torn = false;
  size_t last_record_bytes = 0;  // of the record ending at valid_bytes; 0: none
};

// Reads `count` bytes of `fd` from `at` (fewer if the file is shorter by then).
core::Result<std::string> read_at(int fd, size_t at, size_t count, const fs::path& path) {
  std::string bytes;
  ssize_t n = 0;
  bytes.resize_and_overwrite(count, [&](char* data, size_t wanted) {
    size_t done = 0;
    while (done < wanted && (n = ::pread(fd, data + done, wanted - done, static_cast<off_t>(at + done))) > 0) done += static_cast<size_t>(n);
    return done;
  });
  if (n < 0) return fail(ErrorCode::io_error, "cannot read {}: {}", path.string(), std::strerror(errno));
  return bytes;
}

// The valid records of `bytes`, read from the segment at `at`, carry `end` on.
SegmentEnd read_on(std::string_view bytes, size_t at, SegmentEnd end) {
  Record record;
  size_t pos = 0, size = 0;
  while (pos < bytes.size()) {
    if (parse(bytes.substr(pos), record, size) != Parse::record) {
      end.torn = true;
      break;
    }
    pos += size;
    end.next_offset = record.offset + 1;
    end.last_record_bytes = size;
  }
  end.valid_bytes = at + pos;
  return end;
}

// The end of a segment. Given where it ended before (`known`), reads only from that end's last
// record on, once that record is found still there; otherwise (another file now, or cut shorter)
// the whole segment from `base`.
core::Result<SegmentEnd> scan_end(const fs::path& path, int64_t base, const SegmentEnd& known = {}) {
  const Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!file || ::fstat(file.get(), &st) != 0) return fail(ErrorCode::io_error, "cannot read {}: {}", path.string(), std::strerror(errno));
  const auto size = static_cast<size_t>(st.st_size);
  if (known.last_record_bytes > 0 && known.valid_bytes <= size) {
    const size_t from = known.valid_bytes - known.last_record_bytes;
    TRY_ASSIGN(const std::string bytes, read_at(file.get(), from, size - from, path));
    Record last;
    size_t last_size = 0;
    if (parse(bytes, last, last_size) == Parse::record && last.offset + 1 == known.next_offset && last_size == known.last_record_bytes) {
      return read_on(bytes, from, {from, last.offset, false, 0});
    }
  }
  TRY_ASSIGN(const std::string bytes, read_at(file.get(), 0, size, path));
  return read_on(bytes, 0, {0, base, false, 0});
}

// ---- writing ----

struct PartitionWriter {
  Fd lock;       // flock: one writer per partition
  Fd segment;    // the last segment, appended to
  fs::path dir;
  int64_t segment_size = 0;
  int64_t next_offset = 0;
  std::string pending;  // encoded records not yet written
};

class LocalProducer final : public Producer {
 public:
  explicit LocalProducer(LocalLogBus& bus) : bus_(bus) {}

  core::Status produce(std::string_view topic, std::string_view key, std::string_view value) override {
    TRY_ASSIGN(PartitionWriter * writer, writer_for(std::string(topic), key));
    encode(writer->pending, writer->next_offset++, bus_.clock().now().micros() / 1000, key, value);
    if (writer->pending.size() >= (1u << 20)) TRY(write_out(*writer));
    return {};
  }

  core::Status flush() override {
    std::vector<PartitionWriter*> written;
    for (auto& [where, writer] : writers_) {
      if (writer.pending.empty()) continue;
      TRY(write_out(writer));
      written.push_back(&writer);
    }
    if (bus_.options().fsync) {
      for (PartitionWriter* writer : written) {
        if (::fsync(writer->segment.get()) != 0) return fail(ErrorCode::io_error, "fsync {}: {}", writer->dir.string(), std::strerror(errno));
      }
    }
    if (rolled_) {
      rolled_ = false;
      TRY(bus_.enforce_retention());
    }
    return {};
  }

 private:
  core::Result<PartitionWriter*> writer_for(const std::string& topic, std::string_view key) {
    auto& count = partition_counts_[topic];
    if (count == 0) {
      TRY(bus_.create_topics({topic}));
      TRY_ASSIGN(count, bus_.partitions_of(topic));
    }
    const auto partition = static_cast<int32_t>(core::fnv1a(key) % static_cast<uint64_t>(count));
    auto it = writers_.find({topic, partition});
    if (it != writers_.end()) return &it->second;
    TRY_ASSIGN(PartitionWriter writer, open_writer(topic, partition));
    return &writers_.emplace(std::make_pair(topic, partition), std::move(writer)).first->second;
  }

  core::Result<PartitionWriter> open_writer(const std::string& topic, int32_t partition) {
    PartitionWriter w;
    w.dir = partition_dir(bus_.dir(), topic, partition);
    std::error_code ec;
    fs::create_directories(w.dir, ec);
    w.lock = Fd(::open((w.dir / ".writer").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!w.lock || ::flock(w.lock.get(), LOCK_EX | LOCK_NB) != 0) {
      return fail(ErrorCode::unavailable, "{} partition {}: another producer writes it", topic, partition);
    }
    auto segments = segments_of(w.dir);
    int64_t base = 0;
    if (!segments.empty()) {
      base = segments.rbegin()->first;
      TRY_ASSIGN(const SegmentEnd end, scan_end(segments.rbegin()->second, base));
      if (end.torn) {
        const auto size = fs::file_size(segments.rbegin()->second, ec);
        spdlog::warn("bus: {} partition {}: truncating a torn tail of {} bytes at offset {}", topic, partition,
                     static_cast<int64_t>(size) - static_cast<int64_t>(end.valid_bytes), end.next_offset);
        fs::resize_file(segments.rbegin()->second, end.valid_bytes, ec);
        if (ec) return fail(ErrorCode::io_error, "cannot truncate {}: {}", segments.rbegin()->second.string(), ec.message());
      }
      w.next_offset = end.next_offset;
      w.segment_size = static_cast<int64_t>(end.valid_bytes);
    }
    TRY(open_segment(w, segments.empty() ? 0 : base));
    return w;
  }

  core::Status open_segment(PartitionWriter& w, int64_t base) {
    const fs::path path = w.dir / segment_name(base);
    w.segment = Fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!w.segment) return fail(ErrorCode::io_error, "cannot open {}: {}", path.string(), std::strerror(errno));
    return {};
  }

  core::Status write_out(PartitionWriter& w) {
    for (size_t done = 0; done < w.pending.size();) {
      const ssize_t n = ::write(w.segment.get(), w.pending.data() + done, w.pending.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail(ErrorCode::io_error, "cannot append to {}: {}", w.dir.string(), std::strerror(errno));
      }
      done += static_cast<size_t>(n);
    }
    w.segment_size += static_cast<int64_t>(w.pending.size());
    w.pending.clear();
    if (w.segment_size >= bus_.options().segment_bytes) {
      if (bus_.options().fsync && ::fsync(w.segment.get()) != 0) return fail(ErrorCode::io_error, "fsync {}", w.dir.string());
      TRY(open_segment(w, w.next_offset));
      w.segment_size = 0;
      rolled_ = true;
    }
    return {};
  }

  LocalLogBus& bus_;
  std::map<std::string, int32_t> partition_counts_;
  std::map<std::pair<std::string, int32_t>, PartitionWriter> writers_;
  bool rolled_ = false;
};

// ---- reading ----

struct PartitionReader {
  Fd ownership;              // the flock on _groups/<group>/owners/<topic>.<partition>: one reader at a time
  int64_t committed = 0;     // the group's position as this member last read or wrote it
  int64_t next = 0;          // offset of the next record to return
  int64_t segment_base = -1; // the segment open, -1: none yet
  Fd segment;
  int64_t file_pos = 0;
  std::string buffer;        // bytes read up to file_pos; parsed up to parsed
  size_t parsed = 0;
  std::optional<Record> head;  // the next record, read but not yet returned
};

std::atomic<uint64_t> member_counter{0};

class LocalConsumer final : public Consumer {
 public:
  LocalConsumer(LocalLogBus& bus, std::string group, std::vector<std::string> topics)
      : bus_(bus), group_(std::move(group)), topics_(std::move(topics)),
        group_dir_(bus.dir() / "_groups" / group_),
        member_(fmt::format("{:010d}-{:06d}", ::getpid(), member_counter++)) {}

  core::Status join() {
    std::error_code ec;
    fs::create_directories(group_dir_ / "members", ec);
    fs::create_directories(group_dir_ / "joining", ec);
    // Locked before it appears among the members: a member looking the group over between our
    // open and flock would take the file for a dead member's and remove it.
    const fs::path joining = group_dir_ / "joining" / member_;
    membership_ = Fd(::open(joining.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!membership_ || ::flock(membership_.get(), LOCK_EX | LOCK_NB) != 0 ||
        ::rename(joining.c_str(), (group_dir_ / "members" / member_).c_str()) != 0) {
      return fail(ErrorCode::io_error, "cannot join group {}: {}", group_, std::strerror(errno));
    }
    return rebalance();
  }

  ~LocalConsumer() override {
    std::error_code ec;
    fs::remove(group_dir_ / "members" / member_, ec);
  }

  // Records of all the member's partitions in the order they were produced (oldest first), so a
  // backlog is read across its partitions in step: a micro-batch of it spans one stretch of time
  // rather than each partition's share of records, however unevenly the keys fill them.
  core::Result<std::vector<Record>> poll(size_t max, std::chrono::milliseconds wait) override {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    std::vector<Record> out;
    for (;;) {
      if (std::chrono::steady_clock::now() >= next_rebalance_) TRY(rebalance());
      std::vector<Owned*> open;  // partitions with a record to give
      for (Owned& owned : readers_) {
        TRY(read_head(owned));
        if (owned.second.head) open.push_back(&owned);
      }
      while (out.size() < max && !open.empty()) {
        const auto oldest = std::ranges::min_element(open, {}, [](const Owned* o) { return o->second.head->timestamp_ms; });
        PartitionReader& reader = (*oldest)->second;
        reader.next = reader.head->offset + 1;
        out.push_back(std::move(*reader.head));
        reader.head.reset();
        TRY(read_head(**oldest));
        if (!reader.head) open.erase(oldest);
      }
      if (!out.empty() || std::chrono::steady_clock::now() >= deadline) return out;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  // Only partitions this member owns: their lock is held until everything read is committed.
  core::Status commit(const std::vector<Position>& next) override {
    for (const Position& p : next) {
      const auto it = readers_.find({p.topic, p.partition});
      if (it == readers_.end()) {
        return fail(ErrorCode::unavailable, "bus: {} partition {} is not this member's to commit", p.topic, p.partition);
      }
      TRY(write_atomically(offset_path(p.topic, p.partition), std::to_string(p.offset), bus_.options().fsync));
      it->second.committed = p.offset;
    }
    return {};
  }

  bool awaiting_partitions() const override { return awaiting_; }

  core::Result<std::vector<Position>> committed() override {
    std::vector<Position> positions;
    for (const auto& [where, reader] : readers_) positions.push_back({where.first, where.second, committed_offset(where.first, where.second)});
    return positions;
  }

 private:
  fs::path offset_path(const std::string& topic, int32_t partition) const { return group_dir_ / topic / std::to_string(partition); }

  int64_t committed_offset(const std::string& topic, int32_t partition) const {
    const auto text = read_file(offset_path(topic, partition));
    return text ? core::parse_int(*text).value_or(0) : 0;
  }

  // Live members, sorted: those whose file is still locked (by them).
  std::vector<std::string> live_members() {
    std::vector<std::string> live;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(group_dir_ / "members", ec)) {
      const std::string id = entry.path().filename().string();
      if (id == member_) {
        live.push_back(id);
        continue;
      }
      Fd probe(::open(entry.path().c_str(), O_RDWR | O_CLOEXEC));
      if (!probe) continue;
      if (::flock(probe.get(), LOCK_EX | LOCK_NB) == 0) {
        fs::remove(entry.path(), ec);  // its holder is gone
        continue;
      }
      live.push_back(id);
    }
    std::ranges::sort(live);
    return live;
  }

  // Partitions are dealt round-robin over the live members, and each is read by one member at a
  // time: a member takes a partition's lock before reading it (from the committed offset, read
  // after the lock) and gives up one it should no longer have only once everything it read there is
  // committed. Until then the new owner waits: no record is read by two members at once.
  core::Status rebalance() {
    next_rebalance_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    std::vector<std::pair<std::string, int32_t>> all;
    for (const std::string& topic : topics_) {
      TRY_ASSIGN(const int32_t count, bus_.partitions_of(topic));
      for (int32_t p = 0; p < count; ++p) all.emplace_back(topic, p);
    }
    std::ranges::sort(all);
    const std::vector<std::string> members = live_members();
    const auto me = static_cast<size_t>(std::ranges::find(members, member_) - members.begin());
    std::set<std::pair<std::string, int32_t>> mine;
    for (size_t i = 0; i < all.size(); ++i) {
      if (!members.empty() && i % members.size() == me) mine.insert(all[i]);
    }
    for (auto it = readers_.begin(); it != readers_.end();) {
      const bool settled = it->second.next <= it->second.committed;
      it = !mine.contains(it->first) && settled ? readers_.erase(it) : std::next(it);  // erasing drops the lock
    }
    std::error_code ec;
    fs::create_directories(group_dir_ / "owners", ec);
    awaiting_ = false;
    for (const auto& where : mine) {
      if (readers_.contains(where)) continue;
      Fd lock(::open((group_dir_ / "owners" / fmt::format("{}.{}", where.first, where.second)).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
      if (!lock || ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {  // its owner has not let go yet
        awaiting_ = true;
        continue;
      }
      PartitionReader reader;
      reader.ownership = std::move(lock);
      reader.committed = reader.next = committed_offset(where.first, where.second);
      readers_.emplace(where, std::move(reader));
    }
    return {};
  }

  // Opens the segment holding `reader.next` (or the first after it, when retention removed it).
  core::Status open_segment_for(const std::string& topic, int32_t partition, PartitionReader& reader) {
    const auto segments = segments_of(partition_dir(bus_.dir(), topic, partition));
    if (segments.empty()) return {};
    auto it = segments.upper_bound(reader.next);
    if (it == segments.begin()) {
      spdlog::warn("bus: {} partition {}: offsets {}..{} are gone (retention); reading on from {}", topic, partition, reader.next,
                   it->first - 1, it->first);
      reader.next = it->first;
    } else {
      --it;
    }
    reader.segment = Fd(::open(it->second.c_str(), O_RDONLY | O_CLOEXEC));
    if (!reader.segment) return fail(ErrorCode::io_error, "cannot open {}: {}", it->second.string(), std::strerror(errno));
    reader.segment_base = it->first;
    reader.file_pos = 0;
    reader.buffer.clear();
    reader.parsed = 0;
    return {};
  }

  using Owned = std::pair<const std::pair<std::string, int32_t>, PartitionReader>;  // an entry of readers_

  // Reads the partition's next record into its head, unless it holds one or none is there yet.
  core::Status read_head(Owned& owned) {
    const auto& [topic, partition] = owned.first;
    PartitionReader& reader = owned.second;
    if (reader.head) return {};
    if (!reader.segment) {
      TRY(open_segment_for(topic, partition, reader));
      if (!reader.segment) return {};
    }
    for (;;) {
      Record record;
      size_t size = 0;
      const Parse parsed = parse(std::string_view(reader.buffer).substr(reader.parsed), record, size);
      if (parsed == Parse::record) {
        reader.parsed += size;
        if (record.offset < reader.next) continue;  // before the group's position in this segment
        record.topic = topic;
        record.partition = partition;
        reader.head = std::move(record);
        return {};
      }
      if (parsed == Parse::corrupt) {
        return fail(ErrorCode::corrupt_data, "bus: {} partition {}: a corrupt record after offset {}", topic, partition, reader.next - 1);
      }
      // Incomplete: read more of this segment, or move on to the next one when it is complete.
      reader.buffer.erase(0, reader.parsed);
      reader.parsed = 0;
      // Straight into the buffer's end: what is read is copied once more, into its record.
      const size_t had = reader.buffer.size();
      ssize_t n = 0;
      reader.buffer.resize_and_overwrite(had + kReadChunk, [&](char* data, size_t) {
        n = ::pread(reader.segment.get(), data + had, kReadChunk, reader.file_pos);
        return had + static_cast<size_t>(std::max<ssize_t>(0, n));
      });
      if (n < 0) return fail(ErrorCode::io_error, "bus: cannot read {} partition {}: {}", topic, partition, std::strerror(errno));
      if (n > 0) {
        reader.file_pos += n;
        continue;
      }
      const auto segments = segments_of(partition_dir(bus_.dir(), topic, partition));
      const auto later = segments.upper_bound(reader.segment_base);
      if (later == segments.end() || !reader.buffer.empty()) return {};  // the end for now (or a tail being written)
      reader.segment.reset();
      TRY(open_segment_for(topic, partition, reader));
    }
  }

  LocalLogBus& bus_;
  std::string group_;
  std::vector<std::string> topics_;
  fs::path group_dir_;
  std::string member_;
  Fd membership_;
  std::map<std::pair<std::string, int32_t>, PartitionReader> readers_;
  std::chrono::steady_clock::time_point next_rebalance_{};
  bool awaiting_ = false;  // a partition dealt to this member is still another's
};

}  // namespace

LocalLogBus::LocalLogBus(fs::path dir, LocalLogOptions options, io::Clock& clock)
    : dir_(std::move(dir)), options_(options), clock_(clock) {}

std::string topic_name(std::string_view prefix, std::string_view dataset) { return fmt::format("{}.{}", prefix, dataset); }

core::Status LocalLogBus::create_topics(const std::vector<std::string>& topics) {
  std::lock_guard lock(mutex_);
  for (const std::string& topic : topics) {
    if (topic.empty() || topic.starts_with('_') || topic.find_first_of("/\\") != std::string::npos || topic == "." || topic == "..") {
      return fail(ErrorCode::invalid_argument, "'{}' is not a topic name", topic);
    }
    const fs::path meta = dir_ / topic / "partitions";
    std::error_code ec;
    if (fs::exists(meta, ec)) continue;
    TRY(write_atomically(meta, std::to_string(options_.partitions), true));
  }
  return {};
}

core::Result<int32_t> LocalLogBus::partitions_of(const std::string& topic) {
  const fs::path meta = dir_ / topic / "partitions";
  auto text = read_file(meta);
  if (!text) return fail(ErrorCode::not_found, "no topic {} in {}", topic, dir_.string());
  const auto count = core::parse_int(*text);
  if (!count || *count < 1 || *count > 1024) return fail(ErrorCode::corrupt_data, "{}: not a partition count", meta.string());
  return static_cast<int32_t>(*count);
}

core::Result<std::unique_ptr<Producer>> LocalLogBus::producer() { return std::make_unique<LocalProducer>(*this); }

core::Result<std::unique_ptr<Consumer>> LocalLogBus::consumer(const std::string& group, const std::vector<std::string>& topics) {
  if (group.empty() || group.find_first_of("/\\") != std::string::npos || group.starts_with('.')) {
    return fail(ErrorCode::invalid_argument, "'{}' is not a group name", group);
  }
  TRY(create_topics(topics));
  auto consumer = std::make_unique<LocalConsumer>(*this, group, topics);
  TRY(consumer->join());
  return std::unique_ptr<Consumer>(std::move(consumer));
}

core::Result<std::vector<Position>> LocalLogBus::end_offsets(const std::string& topic) {
  TRY_ASSIGN(const int32_t count, partitions_of(topic));
  std::vector<Position> ends;
  std::lock_guard lock(ends_mutex_);
  for (int32_t p = 0; p < count; ++p) {
    const auto segments = segments_of(partition_dir(dir_, topic, p));
    int64_t end = 0;
    if (!segments.empty()) {
      // Asked after every micro-batch (for the lag): scanning the whole segment each time would
      // cost the lander a read and a CRC of up to segment_bytes per partition, whatever it landed.
      const auto [base, path] = *segments.rbegin();
      KnownEnd& known = known_ends_[{topic, p}];
      const SegmentEnd from = known.base == base ? SegmentEnd{known.valid_bytes, known.next_offset, false, known.last_record_bytes} : SegmentEnd{};
      TRY_ASSIGN(const SegmentEnd last, scan_end(path, base, from));
      known = {base, last.valid_bytes, last.next_offset, last.last_record_bytes};
      end = last.next_offset;
    }
    ends.push_back({topic, p, end});
  }
  return ends;
}

std::string LocalLogBus::describe() const { return fmt::format("local log at {}", dir_.string()); }

core::Result<size_t> LocalLogBus::enforce_retention() {
  size_t removed = 0;
  std::error_code ec;
  // A segment's age is that of its last append (its mtime), measured on the bus's clock.
  const auto now = std::chrono::file_clock::from_sys(std::chrono::sys_time<std::chrono::microseconds>(
      std::chrono::microseconds(clock_.now().micros())));
  for (const auto& topic : fs::directory_iterator(dir_, ec)) {
    if (!topic.is_directory() || topic.path().filename().string().starts_with('_')) continue;
    for (const auto& partition : fs::directory_iterator(topic.path(), ec)) {
      if (!partition.is_directory()) continue;
      auto segments = segments_of(partition.path());
      if (segments.size() < 2) continue;
      segments.erase(std::prev(segments.end()));  // the one being written stays
      int64_t total = 0;
      for (const auto& [base, path] : segments) total += static_cast<int64_t>(fs::file_size(path, ec));
      for (const auto& [base, path] : segments) {
        const auto size = static_cast<int64_t>(fs::file_size(path, ec));
        const bool too_big = options_.retention_bytes > 0 && total > options_.retention_bytes;
        const bool too_old = options_.retention_age.count() > 0 && now - fs::last_write_time(path, ec) > options_.retention_age;
        if (!too_big && !too_old) break;  // oldest first: the rest are newer
        fs::remove(path, ec);
        total -= size;
        ++removed;
      }
    }
  }
  return removed;
}

}  // namespace cryptolake::bus
