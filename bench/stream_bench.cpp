#include "bench/stream_bench.hpp"
#include "bench/bench_support.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "bus/local_log.hpp"
#include "io/real/allocator_tuning.hpp"
#include "io/real/system_clock.hpp"
#include "lake/local_object_store.hpp"
#include "lake/raw_zone.hpp"
#include "schedule/etl_pipeline.hpp"
#include "stream/stream_sources.hpp"

namespace cryptolake::bench {

namespace fs = std::filesystem;

namespace {

// The simulator streaming `klines` closed candles over its 8 default symbols, at once.
stream::StreamSource simulated(int64_t klines, io::Clock& clock) {
  sources::simulator::LiveSimulationOptions options;
  options.minutes = std::max<int64_t>(1, klines / static_cast<int64_t>(options.config.symbols.size()));
  options.speed = 0;
  return stream::simulator_source(std::move(options), clock);
}

// The lander's curation, as `stream land` wires it: the market_ohlcv stage, incremental.
std::function<core::Status()> curate(lake::ObjectStore& store, lake::DuckDb& duckdb, const core::Config& config, io::Clock& clock) {
  return [&]() -> core::Status {
    schedule::PipelineOptions only;
    only.only = {"market_ohlcv"};
    TRY(schedule::run_etl_pipeline(store, duckdb, config, static_cast<size_t>(config.duckdb.threads), clock, only, {}));
    return {};
  };
}

}  // namespace

core::Status bench_stream(const core::Config& config, const StreamBenchOptions& options) {
  const fs::path work = options.work.empty() ? fs::temp_directory_path() / fmt::format("cryptolake-bench-stream-{}", ::getpid())
                                             : fs::path(options.work);
  fs::remove_all(work);
  fs::create_directories(work);
  io::SystemClock clock;
  io::keep_large_blocks_in_heap(size_t{512} << 20);  // as `stream land` does
  {
    lake::LocalObjectStore store(work / "lake");
    TRY_ASSIGN(auto duckdb, lake::DuckDb::open({work / "lake", config.duckdb.threads, config.duckdb.memory_limit}));
    bus::LocalLogBus bus(work / "lake" / "_log", {}, clock);
    auto start = std::chrono::steady_clock::now();
    TRY_ASSIGN(const stream::CollectReport collected, stream::collect(simulated(options.klines, clock), clock, bus, "cryptolake"));
    const double produce_seconds = seconds_since(start);
    fmt::print("input: {} kline events ({} closed candles) in the local log, produced in {:.2f} s, {} threads\n", collected.counts.messages,
               collected.counts.messages / 2, produce_seconds, config.duckdb.threads);

    // Ours: micro-batches of 100,000 records, each landed raw, curated, then committed.
    stream::LandOptions land;
    land.max_records = 100'000;
    land.threads = static_cast<size_t>(config.duckdb.threads);
    land.exit_when_idle_ms = 200;
    land.curate = curate(store, *duckdb, config, clock);
    start = std::chrono::steady_clock::now();
    TRY_ASSIGN(const stream::LandReport landed, stream::land_stream(bus, store, land));
    const double ours = seconds_since(start) - 0.2;  // less the idle wait that ends it
    TRY_ASSIGN(lake::DuckConnection connection, duckdb->connect());
    TRY_ASSIGN(lake::QueryResult ours_rows, connection.query(fmt::format("SELECT count(*) FROM read_parquet({})",
                                                                         lake::sql_string((work / "lake" / "curated" / "market_ohlcv" / "*" / "*.parquet").string()))));
    const auto rows = static_cast<size_t>(ours_rows.int64(0, 0));

    // Peer: DuckDB on the same events from one NDJSON file: closed candles, DISTINCT ON the key,
    // partitioned COPY. (read_json cannot take Binance events: "e" and "E" collide; objects then.)
    const fs::path ndjson = work / "events.ndjson";
    TRY_ASSIGN(const size_t bytes, decompress_batches(store, "simulator", "ws_kline", ndjson));
    const fs::path peer_out = work / "duckdb_out";
    start = std::chrono::steady_clock::now();
    TRY(connection.execute(fmt::format(
        "COPY (SELECT DISTINCT ON (symbol, open_time) source, symbol, '1m' AS interval, open_time, close_time, open, high, low, close, volume, "
        "quote_volume, trades, taker_buy_base, taker_buy_quote, received_at, strftime(open_time, '%Y-%m-%d') AS dt FROM ("
        "  SELECT json_extract_string(json, '$.source') AS source, json_extract_string(json, '$.payload.data.k.s') AS symbol,"
        "    json_extract_string(json, '$.received_at')::TIMESTAMPTZ AS received_at,"
        "    make_timestamptz(json_extract(json, '$.payload.data.k.t')::BIGINT * 1000) AS open_time,"
        "    make_timestamptz(json_extract(json, '$.payload.data.k.T')::BIGINT * 1000) AS close_time,"
        "    json_extract_string(json, '$.payload.data.k.o')::DOUBLE AS open, json_extract_string(json, '$.payload.data.k.h')::DOUBLE AS high,"
        "    json_extract_string(json, '$.payload.data.k.l')::DOUBLE AS low, json_extract_string(json, '$.payload.data.k.c')::DOUBLE AS close,"
        "    json_extract_string(json, '$.payload.data.k.v')::DOUBLE AS volume, json_extract_string(json, '$.payload.data.k.q')::DOUBLE AS quote_volume,"
        "    json_extract(json, '$.payload.data.k.n')::BIGINT AS trades, json_extract_string(json, '$.payload.data.k.V')::DOUBLE AS taker_buy_base,"
        "    json_extract_string(json, '$.payload.data.k.Q')::DOUBLE AS taker_buy_quote"
        "  FROM read_ndjson_objects({}) WHERE json_extract(json, '$.payload.data.k.x')::BOOLEAN)"
        " ORDER BY symbol, open_time, received_at DESC)"
        " TO {} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt), OVERWRITE)",
        lake::sql_string(ndjson.string()), lake::sql_string(peer_out.string()))));
    const double peer = seconds_since(start);
    TRY_ASSIGN(lake::QueryResult peer_rows, connection.query(fmt::format("SELECT count(*) FROM read_parquet({})",
                                                                         lake::sql_string((peer_out / "*" / "*.parquet").string()))));
    const auto peer_count = static_cast<size_t>(peer_rows.int64(0, 0));
    if (peer_count != rows) return core::fail(core::ErrorCode::corrupt_data, "outputs differ: cryptolake {} rows, duckdb {} rows", rows, peer_count);
    fmt::print("output: {} market_ohlcv rows (both), {} micro-batches, {:.1f} MB of events\n", rows, landed.batches, bytes / 1e6);
    fmt::print("{:<44} {:>8.2f} s {:>10.0f} klines/s {:>10.0f} events/s\n", "bus → raw → curated, cryptolake lander", ours, rows / ours,
               landed.records / ours);
    fmt::print("{:<44} {:>8.2f} s {:>10.0f} klines/s\n", "NDJSON file → curated, duckdb", peer, rows / peer);
    fmt::print("ratio {:.2f}× landing vs duckdb (duckdb time / cryptolake time)\n", peer / ours);
  }

  // Latency: the simulator at speed max into the bus while the lander runs beside it, 1 s micro-batches.
  {
    lake::LocalObjectStore store(work / "latency");
    TRY_ASSIGN(auto duckdb, lake::DuckDb::open({work / "latency", config.duckdb.threads, config.duckdb.memory_limit}));
    bus::LocalLogBus bus(work / "latency" / "_log", {}, clock);
    stream::StreamMetrics metrics;
    stream::LandOptions land;
    land.max_wait_ms = 1000;
    land.threads = static_cast<size_t>(config.duckdb.threads);
    land.curate = curate(store, *duckdb, config, clock);
    land.metrics = &metrics;
    land.clock = &clock;
    const auto start = std::chrono::steady_clock::now();
    // As `stream run` holds the simulator: within two micro-batches of the lander.
    TRY_ASSIGN(const stream::RunReport run,
               stream::run_stream(simulated(options.latency_klines, clock), land, clock, bus, store, {}, {}, 2 * land.max_records));
    const double seconds = seconds_since(start);
    const std::string exposition = metrics.prometheus();
    const auto sample = [&](std::string_view series) {
      const size_t at = exposition.find(fmt::format("\n{} ", series));
      return at == std::string::npos ? 0.0 : std::stod(exposition.substr(at + series.size() + 2));
    };
    const double count = sample("cryptolake_stream_event_to_curated_seconds_count");
    fmt::print("\nlatency: {} events streamed and landed in {:.2f} s ({:.0f} events/s; {} micro-batches of ≤ 1 s or {} records; the simulator "
               "held within {} records of the lander)\n",
               run.landed.records, seconds, run.landed.records / seconds, run.landed.batches, land.max_records, 2 * land.max_records);
    fmt::print("event-to-curated: mean {:.3f} s, p99 ≤ {} s (histogram bucket)\n", count > 0 ? sample("cryptolake_stream_event_to_curated_seconds_sum") / count : 0,
               metrics.totals().p99_seconds);
  }
  if (options.work.empty()) fs::remove_all(work);
  return {};
}

}  // namespace cryptolake::bench
