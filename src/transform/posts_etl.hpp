// raw tweets → curated posts: dedup by (platform, post_id) with the latest received winning,
// created_at parsed to UTC, one Parquet file per UTC day of created_at, rows ordered by
// (created_at, post_id). coins and sentiment stay NULL until tagging and scoring fill them.
#pragma once

#include "transform/market_ohlcv_etl.hpp"

namespace cryptolake::transform {

const std::vector<lake::ColumnSpec>& posts_schema();

[[nodiscard]] core::Result<EtlStats> run_posts_etl(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                   const EtlOptions& options);

}  // namespace cryptolake::transform
