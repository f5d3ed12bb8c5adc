#include "sources/social/x_search.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/hash.hpp"
#include "core/json_text.hpp"

namespace cryptolake::sources::social {

ServiceEndpoint x_endpoint(std::string base_url, std::string_view bearer_token) {
  ServiceEndpoint endpoint = service_endpoint("x", std::move(base_url), 30);  // 450 per 15 min
  endpoint.headers.emplace_back("Authorization", fmt::format("Bearer {}", bearer_token));
  return endpoint;
}

std::string since_id_checkpoint(std::string_view query) { return fmt::format("x/{:016x}.txt", core::fnv1a(query)); }

std::string cashtags_as_hashtags(std::string query) {
  for (size_t at = query.find('$'); at != std::string::npos; at = query.find('$', at + 1)) query[at] = '#';
  return query;
}

core::Result<XSearchReport> search_recent(ServiceSession& session, io::CheckpointStore& checkpoints, const XSearch& search,
                                          std::stop_token stop) {
  XSearchReport report;
  report.query_used = search.query;
  const std::string checkpoint = since_id_checkpoint(search.query);
  const std::string since_id = checkpoints.load(checkpoint).value_or("");
  report.newer_than_last_run = !since_id.empty();
  std::string next_token, newest_id;
  for (int page = 0; page < search.pages && !stop.stop_requested(); ++page) {
    std::string path = fmt::format(
        "/2/tweets/search/recent?query={}&max_results=100&tweet.fields=created_at,lang,public_metrics,entities,author_id",
        io::url_encode(report.query_used));
    if (!since_id.empty()) path += "&since_id=" + since_id;
    if (!next_token.empty()) path += "&next_token=" + io::url_encode(next_token);
    auto fetched = session.get(path, 1, io::Priority::live, "tweets",
                               fmt::format(R"({{"endpoint":"/2/tweets/search/recent","query":{},"page":{}}})",
                                           core::json_string(report.query_used), page),
                               stop);
    if (!fetched && page == 0 && report.refused_cashtags.empty() && report.query_used.find('$') != std::string::npos &&
        fetched.error().message.find("HTTP 400") != std::string::npos) {
      report.refused_cashtags = fetched.error().message;
      report.query_used = search.fallback_query.empty() ? cashtags_as_hashtags(report.query_used) : search.fallback_query;
      --page;
      continue;
    }
    if (!fetched) return std::unexpected(fetched.error());
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(fetched->response.body).get(doc)) break;  // landed; the transform quarantines it
    int64_t count = 0;
    if (doc.at_pointer("/meta/result_count").get_int64().get(count) != simdjson::SUCCESS) count = 0;
    report.posts += static_cast<size_t>(count);
    std::string_view value;
    if (page == 0 && doc.at_pointer("/meta/newest_id").get_string().get(value) == simdjson::SUCCESS) newest_id = value;
    if (doc.at_pointer("/meta/next_token").get_string().get(value) != simdjson::SUCCESS) break;
    next_token = value;
  }
  // Next time, ask only for what is newer than this run's newest post.
  if (!newest_id.empty()) TRY(checkpoints.save(checkpoint, newest_id));
  return report;
}

}  // namespace cryptolake::sources::social
