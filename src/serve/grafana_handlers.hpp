// The simPod JSON data source contract (Grafana): / answers 200, /metrics lists the series,
// /query returns [{"target", "datapoints": [[value, epoch ms], …]}], /variable the symbols.
#pragma once

#include "io/http_server.hpp"
#include "serve/table_queries.hpp"

namespace cryptolake::serve::grafana {

io::ServerResponse health();
io::ServerResponse metric_names();
[[nodiscard]] core::Result<io::ServerResponse> symbols(const TableQueries& tables);
// The series asked for, each evenly thinned to maxDataPoints.
[[nodiscard]] core::Result<io::ServerResponse> query(const TableQueries& tables, const io::ServerRequest& request);

}  // namespace cryptolake::serve::grafana
