#include "sources/social/reddit_parser.hpp"

#include <cmath>

#include "core/json_text.hpp"

namespace cryptolake::sources::social {

using core::ErrorCode;
using core::fail;

core::Status parse_reddit_listing(simdjson::dom::element payload, core::Timestamp received_at, std::vector<core::Post>& out,
                                  std::vector<RejectedPost>& rejected) {
  simdjson::dom::array children;
  if (payload.at_pointer("/data/children").get_array().get(children)) {
    return fail(ErrorCode::corrupt_data, "reddit listing without data.children");
  }
  size_t index = 0;
  for (simdjson::dom::element child : children) {
    simdjson::dom::object d;
    std::string_view id, title, selftext, author, subreddit;
    double created = 0;
    if (child["data"].get_object().get(d) || d["id"].get_string().get(id) || d["title"].get_string().get(title)) {
      rejected.push_back({index++, "listing child without data.id and data.title", simdjson::minify(child)});
      continue;
    }
    if (d["created_utc"].get_double().get(created) || !std::isfinite(created) || created <= 0) {
      rejected.push_back({index++, "listing child without created_utc", simdjson::minify(child)});
      continue;
    }
    core::Post post;
    post.platform = "reddit";
    post.post_id = id;
    post.text = std::string(title);
    if (d["selftext"].get_string().get(selftext) == simdjson::SUCCESS && !selftext.empty()) post.text += "\n\n" + std::string(selftext);
    if (d["author"].get_string().get(author) == simdjson::SUCCESS) post.author_id = author;
    if (!core::is_valid_utf8(post.text)) {
      rejected.push_back({index++, "text is not valid UTF-8", simdjson::minify(child)});
      continue;
    }
    post.created_at = core::Timestamp::from_micros(static_cast<int64_t>(std::llround(created * 1e6)));
    int64_t score = 0, comments = 0;
    if (d["score"].get_int64().get(score) == simdjson::SUCCESS) post.like_count = score;
    if (d["num_comments"].get_int64().get(comments) == simdjson::SUCCESS) post.reply_count = comments;
    if (d["subreddit"].get_string().get(subreddit) == simdjson::SUCCESS) post.hashtags = subreddit;
    post.received_at = received_at;
    out.push_back(std::move(post));
    ++index;
  }
  return {};
}

std::optional<std::string> reddit_after(simdjson::dom::element payload) {
  std::string_view after;
  if (payload.at_pointer("/data/after").get_string().get(after) == simdjson::SUCCESS && !after.empty()) return std::string(after);
  return std::nullopt;
}

}  // namespace cryptolake::sources::social
