// X API v2 recent search: pages with next_token; later runs ask only for posts newer than the
// last run's newest (since_id, kept as a checkpoint per query). When the cashtag operator is
// refused (it needs a paid tier), $TAG becomes #TAG, or the fallback query is used.
#pragma once

#include <stop_token>
#include <string>

#include "io/checkpoint_store.hpp"
#include "sources/service_session.hpp"

namespace cryptolake::sources::social {

// X's endpoint: 450 requests per 15 minutes, the bearer token sent with each.
ServiceEndpoint x_endpoint(std::string base_url, std::string_view bearer_token);

struct XSearch {
  std::string query;           // X search syntax
  std::string fallback_query;  // when the cashtag operator is refused; empty: $TAG → #TAG
  int pages = 10;              // of up to 100 posts
};

struct XSearchReport {
  size_t posts = 0;
  bool newer_than_last_run = false;  // a since_id from the last run was used
  std::string refused_cashtags;      // why the cashtag query was refused, when it was
  std::string query_used;
};

// The checkpoint name of a query's since_id.
std::string since_id_checkpoint(std::string_view query);
// The cashtag operator needs a paid tier; without it, #TAG finds most of the same posts.
std::string cashtags_as_hashtags(std::string query);

[[nodiscard]] core::Result<XSearchReport> search_recent(ServiceSession& session, io::CheckpointStore& checkpoints,
                                                        const XSearch& search, std::stop_token stop = {});

}  // namespace cryptolake::sources::social
