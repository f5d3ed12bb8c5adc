// raw tweets → curated posts: dedup by (platform, post_id) with the latest received winning,
// created_at parsed to UTC, one Parquet file per UTC day of created_at, rows ordered by
// (created_at, post_id). coins and sentiment stay NULL until tagging and scoring fill them.
#pragma once

#include "core/market.hpp"
#include "core/post_enricher.hpp"
#include "transform/market_ohlcv_etl.hpp"

namespace cryptolake::transform {

const std::vector<lake::ColumnSpec>& posts_schema();

// Without an enricher, coins and sentiment stay NULL.
[[nodiscard]] core::Result<lake::WriteStats> run_posts_etl(lake::ObjectStore& store, lake::DuckDb& duckdb,
                                                   const EtlOptions& options, const core::PostEnricher* enricher = nullptr);

}  // namespace cryptolake::transform
