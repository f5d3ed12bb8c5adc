// The posts stage within its memory budget. Once a thread's parsed posts pass its share they go
// to disk by the day they were created (lake/day_spill), each under its number; what stays in
// memory is a compact key per post (platform, id, when received, day), so the latest copy of each
// (platform, id) is chosen across every day before any day is read back. The days then come back
// a group that fits at a time, the chosen copies only — the posts a run that held everything
// would write, in the same files.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/market.hpp"
#include "lake/day_spill.hpp"

namespace cryptolake::transform {

// The order of post ids: numeric ids by length first, then text ("99" < "100").
bool id_less(std::string_view a, std::string_view b);

// Which copy of a post is kept — the rule both a held and a spilled run follow: copies ordered by
// platform, id, then the latest received first; the first copy of each post is kept.
struct PostCopy {
  std::string_view platform;
  std::string_view id;
  int64_t received_at;

  static PostCopy of(const core::Post& post) { return {post.platform, post.post_id, post.received_at.micros()}; }
  bool same_post(const PostCopy& other) const { return platform == other.platform && id == other.id; }
};
bool kept_first(const PostCopy& a, const PostCopy& b);

class PostSpill {
 public:
  PostSpill(size_t memory_bytes, size_t threads);

  // After each raw object a thread parsed into `posts`: spills them once they pass its share.
  void after_object(size_t thread, std::vector<core::Post>& posts);
  // Every post on disk (each day is then read back whole), or nothing spilled at all.
  [[nodiscard]] core::Status finish_scan(std::vector<std::vector<core::Post>>& parsed);
  bool spilled() const { return files_.has_value(); }
  size_t posts() const;

  // Chooses the latest received copy of each (platform, id) among the posts of the `wanted` days
  // (all when none given); returns how many copies lost.
  size_t choose_latest(const std::optional<std::set<int64_t>>& wanted);
  // Consecutive days holding chosen posts that together fit the budget, in day order.
  std::vector<std::vector<int64_t>> groups() const;
  // The chosen posts of these days, appended to `out`: each thread's files read on a thread of
  // their own, into its place in `out` (sized once, no copy held).
  [[nodiscard]] core::Status read_back(const std::vector<int64_t>& days, std::vector<core::Post>& out) const;

 private:
  struct Key {
    uint64_t id_at;  // in the thread's `ids`
    uint32_t id_size;
    uint32_t platform;  // in platforms_
    int64_t received_at;
    int64_t day;
  };
  struct Thread {
    std::vector<Key> keys;  // a post's number is its key's index
    std::string ids;
    std::vector<bool> chosen;
    std::map<int64_t, size_t> chosen_by_day;  // of its posts
    size_t held_bytes = 0;  // of the posts parsed since the last spill
    size_t counted = 0;     // posts already in held_bytes
  };

  core::Status spill(size_t thread, std::vector<core::Post>& posts);
  uint32_t platform_index(const std::string& platform);

  const size_t memory_bytes_;
  const size_t thread_bytes_;
  std::vector<Thread> threads_;
  std::optional<lake::DaySpillFiles> files_;
  mutable std::mutex mutex_;  // files_ creation, platforms_, error_, bytes_
  std::vector<std::string> platforms_;
  std::optional<core::Error> error_;
  size_t spilled_bytes_ = 0;  // of the posts as held, for sizing the groups
};

}  // namespace cryptolake::transform
