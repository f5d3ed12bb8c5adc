#include "sources/social/tweet_parser.hpp"

#include "core/excerpt.hpp"

namespace cryptolake::sources::social {

using core::ErrorCode;
using core::fail;

namespace {

int64_t metric(simdjson::dom::object metrics, std::string_view name) {
  int64_t value = 0;
  if (metrics[name].get_int64().get(value) != simdjson::SUCCESS) return 0;
  return value;
}

// Joins entity tags ("hashtags": [{"tag": "BTC"}, …]) by the list separator.
std::string entity_tags(simdjson::dom::object tweet, std::string_view kind) {
  std::string joined;
  simdjson::dom::array items;
  if (tweet.at_pointer(fmt::format("/entities/{}", kind)).get_array().get(items) != simdjson::SUCCESS) return joined;
  for (simdjson::dom::element item : items) {
    std::string_view tag;
    if (item["tag"].get_string().get(tag) != simdjson::SUCCESS) continue;
    if (!joined.empty()) joined += core::kListSeparator;
    joined += tag;
  }
  return joined;
}

}  // namespace

core::Result<core::Post> parse_v2_tweet(simdjson::dom::object tweet, core::Timestamp received_at) {
  core::Post post;
  post.platform = "x";
  post.received_at = received_at;
  std::string_view id, text, created_at;
  if (tweet["id"].get_string().get(id) != simdjson::SUCCESS || id.empty()) {
    return fail(ErrorCode::corrupt_data, "tweet without a string id");
  }
  if (id.find_first_not_of("0123456789") != std::string_view::npos) {
    return fail(ErrorCode::corrupt_data, "tweet id '{}' is not numeric", core::excerpt(id));
  }
  if (tweet["text"].get_string().get(text) != simdjson::SUCCESS) {
    return fail(ErrorCode::corrupt_data, "tweet {} without text", id);
  }
  if (tweet["created_at"].get_string().get(created_at) != simdjson::SUCCESS) {
    return fail(ErrorCode::corrupt_data, "tweet {} without created_at", id);
  }
  const auto created = core::Timestamp::parse_iso(created_at);
  if (!created) return fail(ErrorCode::corrupt_data, "tweet {}: created_at '{}' is not ISO-8601", core::excerpt(id), core::excerpt(created_at));
  post.post_id = id;
  post.text = text;
  post.created_at = *created;
  std::string_view author, lang;
  if (tweet["author_id"].get_string().get(author) == simdjson::SUCCESS) post.author_id = author;
  if (tweet["lang"].get_string().get(lang) == simdjson::SUCCESS) post.lang = lang;
  simdjson::dom::object metrics;
  if (tweet["public_metrics"].get_object().get(metrics) == simdjson::SUCCESS) {
    post.like_count = metric(metrics, "like_count");
    post.retweet_count = metric(metrics, "retweet_count");
    post.reply_count = metric(metrics, "reply_count");
    post.quote_count = metric(metrics, "quote_count");
  }
  // A retweet names its original among the referenced tweets.
  simdjson::dom::array refs;
  if (tweet["referenced_tweets"].get_array().get(refs) == simdjson::SUCCESS) {
    for (simdjson::dom::element ref : refs) {
      std::string_view type, original;
      if (ref["type"].get_string().get(type) == simdjson::SUCCESS && type == "retweeted" &&
          ref["id"].get_string().get(original) == simdjson::SUCCESS) {
        post.is_retweet = true;
        post.retweet_of = original;
      }
    }
  }
  post.hashtags = entity_tags(tweet, "hashtags");
  post.cashtags = entity_tags(tweet, "cashtags");
  // Imported files carry the columns X has no field for here (see `import posts`).
  simdjson::dom::object extra;
  if (tweet["extra"].get_object().get(extra) == simdjson::SUCCESS) post.extra = simdjson::minify(extra);
  return post;
}

core::Status parse_v2_search(simdjson::dom::element payload, core::Timestamp received_at,
                             std::vector<core::Post>& out, std::vector<RejectedPost>& rejected) {
  simdjson::dom::object response;
  if (payload.get_object().get(response) != simdjson::SUCCESS) {
    return fail(ErrorCode::corrupt_data, "search response is not an object");
  }
  simdjson::dom::array data;
  const auto error = response["data"].get_array().get(data);
  if (error == simdjson::NO_SUCH_FIELD) return {};  // result_count 0
  if (error != simdjson::SUCCESS) return fail(ErrorCode::corrupt_data, "search response 'data' is not an array");
  size_t index = 0;
  for (simdjson::dom::element item : data) {
    simdjson::dom::object tweet;
    if (item.get_object().get(tweet) != simdjson::SUCCESS) {
      rejected.push_back({index, "tweet is not an object", simdjson::minify(item)});
    } else if (auto post = parse_v2_tweet(tweet, received_at)) {
      out.push_back(std::move(*post));
    } else {
      rejected.push_back({index, std::move(post.error().message), simdjson::minify(item)});
    }
    ++index;
  }
  return {};
}

}  // namespace cryptolake::sources::social
