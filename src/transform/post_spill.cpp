#include "transform/post_spill.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <tuple>

#include "lake/partition_writer.hpp"
#include "lake/worker_pool.hpp"

namespace cryptolake::transform {

bool id_less(std::string_view a, std::string_view b) { return a.size() != b.size() ? a.size() < b.size() : a < b; }

bool kept_first(const PostCopy& a, const PostCopy& b) {
  if (a.platform != b.platform) return a.platform < b.platform;
  if (a.id != b.id) return id_less(a.id, b.id);
  return a.received_at > b.received_at;
}

namespace {

// A post's text fields, in the order they are spilled.
constexpr std::array kTexts = {&core::Post::platform, &core::Post::post_id, &core::Post::author_id, &core::Post::text,
                               &core::Post::text_clean, &core::Post::lang, &core::Post::hashtags, &core::Post::cashtags,
                               &core::Post::retweet_of, &core::Post::extra};

// What a post costs in memory: itself and its strings beyond the small-string buffer.
size_t held_size(const core::Post& p) {
  size_t bytes = sizeof(core::Post);
  for (const auto text : kTexts) {
    if ((p.*text).capacity() > 15) bytes += (p.*text).capacity() + 1;
  }
  if (p.coins && p.coins->capacity() > 15) bytes += p.coins->capacity() + 1;
  return bytes;
}

// A post on disk: its number, then every field (texts as length + bytes). Read back by the same
// process, so integers are in the machine's order.
void put(std::string& out, uint64_t value) { out.append(reinterpret_cast<const char*>(&value), sizeof value); }
void put(std::string& out, std::string_view text) {
  put(out, uint64_t{text.size()});
  out.append(text);
}

void write_post(std::string& out, uint64_t number, const core::Post& p) {
  put(out, number);
  for (const auto text : kTexts) put(out, p.*text);
  for (const int64_t n : {p.created_at.micros(), p.received_at.micros(), p.like_count, p.retweet_count, p.reply_count, p.quote_count}) {
    put(out, static_cast<uint64_t>(n));
  }
  put(out, uint64_t{p.is_retweet} | uint64_t{p.coins.has_value()} << 1 | uint64_t{p.sentiment.has_value()} << 2);
  if (p.coins) put(out, *p.coins);
  if (p.sentiment) put(out, std::bit_cast<uint64_t>(*p.sentiment));
}

class PostReader {
 public:
  explicit PostReader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return at_ == bytes_.size(); }

  core::Status read(uint64_t& number, core::Post& p) {
    number = next();
    for (const auto field : kTexts) p.*field = text();
    p.created_at = core::Timestamp::from_micros(static_cast<int64_t>(next()));
    p.received_at = core::Timestamp::from_micros(static_cast<int64_t>(next()));
    for (int64_t* n : {&p.like_count, &p.retweet_count, &p.reply_count, &p.quote_count}) *n = static_cast<int64_t>(next());
    const uint64_t flags = next();
    p.is_retweet = (flags & 1) != 0;
    if (flags & 2) p.coins = text();
    if (flags & 4) p.sentiment = std::bit_cast<double>(next());
    if (torn_) return core::fail(core::ErrorCode::corrupt_data, "a posts spill file is torn");
    return {};
  }

 private:
  uint64_t next() {
    uint64_t value = 0;
    if (bytes_.size() - at_ < sizeof value) {
      torn_ = true;
      at_ = bytes_.size();
      return 0;
    }
    std::memcpy(&value, bytes_.data() + at_, sizeof value);
    at_ += sizeof value;
    return value;
  }
  std::string text() {
    const uint64_t size = next();
    if (bytes_.size() - at_ < size) {
      torn_ = true;
      at_ = bytes_.size();
      return {};
    }
    std::string out(bytes_.substr(at_, size));
    at_ += size;
    return out;
  }

  std::string_view bytes_;
  size_t at_ = 0;
  bool torn_ = false;
};

}  // namespace

PostSpill::PostSpill(size_t memory_bytes, size_t threads)
    // Half the budget for the posts held while scanning, the other half for a group read back.
    : memory_bytes_(std::max<size_t>(1, memory_bytes)),
      thread_bytes_(std::max<size_t>(1, memory_bytes_ / 2 / std::max<size_t>(1, threads))),
      threads_(std::max<size_t>(1, threads)) {}

void PostSpill::after_object(size_t thread, std::vector<core::Post>& posts) {
  Thread& t = threads_[thread];
  for (; t.counted < posts.size(); ++t.counted) t.held_bytes += held_size(posts[t.counted]);
  // The vector's room counts again beside the posts: the next post may double it.
  if (t.held_bytes + posts.capacity() * sizeof(core::Post) < thread_bytes_) return;
  if (auto spilled = spill(thread, posts); !spilled) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = spilled.error();
  }
}

core::Status PostSpill::finish_scan(std::vector<std::vector<core::Post>>& parsed) {
  {
    std::lock_guard lock(mutex_);
    if (error_) return std::unexpected(*error_);
  }
  if (!files_) return {};
  for (size_t t = 0; t < parsed.size(); ++t) {
    for (; threads_[t].counted < parsed[t].size(); ++threads_[t].counted) threads_[t].held_bytes += held_size(parsed[t][threads_[t].counted]);
    TRY(spill(t, parsed[t]));
    std::vector<core::Post>().swap(parsed[t]);
  }
  return {};
}

size_t PostSpill::posts() const {
  size_t n = 0;
  for (const Thread& t : threads_) n += t.keys.size();
  return n;
}

uint32_t PostSpill::platform_index(const std::string& platform) {
  std::lock_guard lock(mutex_);
  const auto it = std::ranges::find(platforms_, platform);
  if (it != platforms_.end()) return static_cast<uint32_t>(it - platforms_.begin());
  platforms_.push_back(platform);
  return static_cast<uint32_t>(platforms_.size() - 1);
}

core::Status PostSpill::spill(size_t thread, std::vector<core::Post>& posts) {
  {
    std::lock_guard lock(mutex_);
    if (!files_) {
      TRY_ASSIGN(lake::DaySpillFiles created, lake::DaySpillFiles::create("posts-spill"));
      files_.emplace(std::move(created));
    }
  }
  Thread& t = threads_[thread];
  // Day by day, each post let go once written into a small buffer that goes to disk as it fills:
  // a second copy of the posts would double what the spill is there to bound.
  std::vector<uint32_t> order(posts.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::ranges::stable_sort(order, {}, [&](uint32_t i) { return posts[i].created_at.days_since_epoch(); });
  constexpr size_t kFlushBytes = 1 << 20;
  std::string bytes;
  size_t buffered = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    core::Post& p = posts[order[k]];
    const int64_t day = p.created_at.days_since_epoch();
    write_post(bytes, t.keys.size(), p);
    t.keys.push_back({t.ids.size(), static_cast<uint32_t>(p.post_id.size()), platform_index(p.platform), p.received_at.micros(), day});
    t.ids += p.post_id;
    p = core::Post{};
    ++buffered;
    const bool day_ends = k + 1 == order.size() || posts[order[k + 1]].created_at.days_since_epoch() != day;
    if (day_ends || bytes.size() >= kFlushBytes) {
      TRY(files_->append(thread, day, bytes, buffered));
      bytes.clear();
      buffered = 0;
    }
  }
  {
    std::lock_guard lock(mutex_);
    spilled_bytes_ += t.held_bytes;
  }
  std::vector<core::Post>().swap(posts);
  t.held_bytes = 0;
  t.counted = 0;
  return {};
}

size_t PostSpill::choose_latest(const std::optional<std::set<int64_t>>& wanted) {
  struct Ref {
    uint32_t thread;
    uint32_t number;
  };
  std::vector<Ref> refs;
  refs.reserve(posts());
  for (uint32_t t = 0; t < threads_.size(); ++t) {
    threads_[t].chosen.assign(threads_[t].keys.size(), false);
    for (uint32_t n = 0; n < threads_[t].keys.size(); ++n) {
      if (!wanted || wanted->contains(threads_[t].keys[n].day)) refs.push_back({t, n});
    }
  }
  const auto key = [&](Ref r) -> const Key& { return threads_[r.thread].keys[r.number]; };
  const auto copy = [&](Ref r) {
    const Key& k = key(r);
    return PostCopy{platforms_[k.platform], std::string_view(threads_[r.thread].ids).substr(k.id_at, k.id_size), k.received_at};
  };
  // On the threads (one thread sorted 0.7 M keys for ~0.4 s at 600 days while the other waited);
  // copies received at the same instant keep the order they were spilled in, so the order is total.
  lake::parallel_sort(refs, threads_.size(), [&](Ref a, Ref b) {
    const PostCopy ca = copy(a), cb = copy(b);
    if (kept_first(ca, cb)) return true;
    if (kept_first(cb, ca)) return false;
    return std::tie(a.thread, a.number) < std::tie(b.thread, b.number);
  });
  size_t lost = 0;
  for (Thread& t : threads_) t.chosen_by_day.clear();
  for (size_t i = 0; i < refs.size(); ++i) {
    if (i > 0 && copy(refs[i]).same_post(copy(refs[i - 1]))) {
      ++lost;
      continue;
    }
    threads_[refs[i].thread].chosen[refs[i].number] = true;
    ++threads_[refs[i].thread].chosen_by_day[key(refs[i]).day];
  }
  return lost;
}

std::vector<std::vector<int64_t>> PostSpill::groups() const {
  const size_t average = std::max<size_t>(1, spilled_bytes_ / std::max<size_t>(1, posts()));
  std::map<int64_t, size_t> chosen_by_day;  // of every thread
  for (const Thread& t : threads_) {
    for (const auto& [day, chosen] : t.chosen_by_day) chosen_by_day[day] += chosen;
  }
  return lake::day_groups(chosen_by_day, std::max<size_t>(1, memory_bytes_ / 2 / average));
}

core::Status PostSpill::read_back(const std::vector<int64_t>& days, std::vector<core::Post>& out) const {
  // Where each thread's chosen posts go: one after the other, in thread order.
  std::vector<size_t> first(threads_.size() + 1, out.size());
  for (size_t t = 0; t < threads_.size(); ++t) {
    size_t chosen = 0;
    for (const int64_t day : days) {
      if (const auto it = threads_[t].chosen_by_day.find(day); it != threads_[t].chosen_by_day.end()) chosen += it->second;
    }
    first[t + 1] = first[t] + chosen;
  }
  out.resize(first.back());
  std::vector<core::Status> statuses(threads_.size());
  lake::for_each_on_threads(threads_.size(), threads_.size(), [&](size_t, size_t t) {
    statuses[t] = [&]() -> core::Status {
      size_t at = first[t];
      std::string bytes;
      for (const int64_t day : days) {
        bytes.clear();
        TRY(files_->read(t, day, bytes));
        PostReader reader(bytes);
        while (!reader.done()) {
          uint64_t number = 0;
          core::Post post;
          TRY(reader.read(number, post));
          if (number >= threads_[t].chosen.size()) return core::fail(core::ErrorCode::corrupt_data, "a posts spill file names a post it never had");
          if (!threads_[t].chosen[number]) continue;
          if (at == first[t + 1]) return core::fail(core::ErrorCode::corrupt_data, "a posts spill file holds more chosen posts than were chosen");
          out[at++] = std::move(post);
        }
      }
      if (at != first[t + 1]) return core::fail(core::ErrorCode::corrupt_data, "a posts spill file lost chosen posts");
      return {};
    }();
  });
  for (const core::Status& status : statuses) TRY(status);
  return {};
}

}  // namespace cryptolake::transform
