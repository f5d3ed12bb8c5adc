#include "serve/answer_cache.hpp"

namespace cryptolake::serve {

std::optional<io::ServerResponse> AnswerCache::find(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || now - it->second.at >= max_age_) return std::nullopt;
  return it->second.response;
}

void AnswerCache::put(const std::string& key, const io::ServerResponse& response, Clock::time_point now) {
  const size_t size = key.size() + response.body.size() + response.content_type.size() + 64;
  if (size > max_bytes_ || max_age_.count() <= 0) return;
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    bytes_ -= it->second.bytes;
    entries_.erase(it);  // its place in order_ is now stale and skipped when reached
  }
  while (!order_.empty() && (now - order_.front().first >= max_age_ || bytes_ + size > max_bytes_)) drop_front_locked();
  entries_[key] = {now, response, size};
  order_.emplace_back(now, key);
  bytes_ += size;
}

void AnswerCache::drop_front_locked() {
  auto [at, key] = std::move(order_.front());
  order_.pop_front();
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.at == at) {
    bytes_ -= it->second.bytes;
    entries_.erase(it);
  }
}

size_t AnswerCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

size_t AnswerCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace cryptolake::serve
