// `cryptolake bench etl|import|posts|stream|live|bus|gp`: the end-to-end benchmarks of bench/.
#include <functional>

#include "bench/bus_bench.hpp"
#include "bench/gp_bench.hpp"
#include "bench/live_bench.hpp"
#include "bench/stream_bench.hpp"
#include "bench/end_to_end.hpp"
#include "cli/commands.hpp"

namespace cryptolake::cli {

namespace {

int exit_code_of(const core::Status& status) { return status ? 0 : report_error(status.error()); }

// Runs a benchmark that takes the config of the global options.
void with_config(GlobalOptions& global, int& exit_code, const std::function<core::Status(const core::Config&)>& bench) {
  auto context = Context::create(global);
  exit_code = context ? exit_code_of(bench((*context)->config())) : report_error(context.error());
}

}  // namespace

void add_bench_command(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto* command = app.add_subcommand("bench", "Benchmarks against DuckDB doing the same job in the same run");
  command->require_subcommand(1);
  auto flags = std::make_shared<bench::BenchOptions>();
  auto* etl = command->add_subcommand("etl", "raw NDJSON.zst → curated market_ohlcv (and features) vs DuckDB alone");
  etl->footer("Examples:\n  cryptolake bench etl\n  cryptolake bench etl --rows 1000000 --threads 2");
  etl->add_option("--rows", flags->rows, "Kline rows to simulate (default 5000000)")->check(CLI::Range(int64_t{1000}, int64_t{500'000'000}));
  etl->add_option("--work", flags->work, "Scratch folder (default a temp folder, removed afterwards)");
  etl->add_flag("--keep", flags->keep, "Keep the scratch folder");
  etl->add_flag("--features", flags->features, "Also benchmark market_features against DuckDB window SQL");
  auto* import = command->add_subcommand("import", "Archive CSVs (a month of 1m klines per symbol) → market_ohlcv vs DuckDB read_csv");
  import->footer("Examples:\n  cryptolake bench import\n  cryptolake bench import --symbols 40");
  import->add_option("--symbols", flags->symbols, "How many symbols (default 20)")->check(CLI::Range(1, 200));
  import->add_option("--work", flags->work, "Scratch folder (default a temp folder, removed afterwards)");
  import->add_flag("--keep", flags->keep, "Keep the scratch folder");
  import->callback([&global, &exit_code, flags] {
    with_config(global, exit_code, [&](const core::Config& config) { return bench::bench_import(config, *flags); });
  });
  auto* posts_bench = command->add_subcommand("posts", "CSV post import: cryptolake's parser vs DuckDB read_csv");
  posts_bench->footer("Examples:\n  cryptolake bench posts --rows 1000000");
  posts_bench->add_option("--rows", flags->rows, "About how many posts (default 1000000)");
  posts_bench->add_option("--work", flags->work, "Scratch folder (default a temp folder, removed afterwards)");
  posts_bench->add_flag("--keep", flags->keep, "Keep the scratch folder (its posts.csv)");
  posts_bench->callback([&global, &exit_code, flags] {
    if (flags->rows == 5'000'000) flags->rows = 1'000'000;
    with_config(global, exit_code, [&](const core::Config& config) { return bench::bench_posts(config, *flags); });
  });
  auto stream_flags = std::make_shared<bench::StreamBenchOptions>();
  auto* stream = command->add_subcommand("stream", "The lander (bus → raw → curated market_ohlcv) vs DuckDB on the same events; event-to-curated latency");
  stream->footer("Examples:\n  cryptolake bench stream\n  cryptolake bench stream --klines 200000 --latency-klines 20000");
  stream->add_option("--klines", stream_flags->klines, "Closed candles to land (default 1000000)")->check(CLI::Range(int64_t{1000}, int64_t{50'000'000}));
  stream->add_option("--latency-klines", stream_flags->latency_klines, "Closed candles streamed for the latency run (default 100000)")
      ->check(CLI::Range(int64_t{100}, int64_t{10'000'000}));
  stream->add_option("--work", stream_flags->work, "Scratch folder (default a temp folder, removed afterwards)");
  stream->callback([&global, &exit_code, stream_flags] {
    with_config(global, exit_code, [&](const core::Config& config) { return bench::bench_stream(config, *stream_flags); });
  });
  auto live_flags = std::make_shared<bench::LiveBenchOptions>();
  auto* live = command->add_subcommand("live", "The live processor (serve --live) on 8 simulated symbols, one thread: how many times real time");
  live->footer("Examples:\n  cryptolake bench live\n  cryptolake bench live --minutes 10080");
  live->add_option("--minutes", live_flags->minutes, "Simulated minutes of the 8 symbols (default 1440)")->check(CLI::Range(int64_t{60}, int64_t{1'000'000}));
  live->add_option("--work", live_flags->work, "Scratch folder for the local log (default a temp folder, removed afterwards)");
  live->callback([&global, &exit_code, live_flags] {
    with_config(global, exit_code, [&](const core::Config& config) { return bench::bench_live(config, *live_flags); });
  });
  auto bus_flags = std::make_shared<bench::BusBenchOptions>();
  auto* bus = command->add_subcommand("bus", "Keyed records through the local log and Kafka (mock cluster) vs kcat on the same cluster");
  bus->footer("Examples:\n  cryptolake bench bus\n  cryptolake bench bus --records 200000 --brokers 1");
  bus->add_option("--records", bus_flags->records, "Records each way (default 1000000)")->check(CLI::Range(int64_t{1000}, int64_t{100'000'000}));
  bus->add_option("--brokers", bus_flags->brokers, "Mock cluster brokers (default 3)")->check(CLI::Range(1, 16));
  bus->add_option("--work", bus_flags->work, "Scratch folder for the local log (default a temp folder, removed afterwards)");
  bus->callback([&exit_code, bus_flags] {
    exit_code = exit_code_of(bench::bench_bus(*bus_flags));
  });
  auto gp_flags = std::make_shared<bench::GpBenchOptions>();
  auto* gp = command->add_subcommand("gp", "The projections' Gaussian process vs scikit-learn's GaussianProcessRegressor on the same windows");
  gp->footer("Examples:\n  cryptolake bench gp\n  cryptolake bench gp --windows 1000");
  gp->add_option("--windows", gp_flags->windows, "Windows of one-minute closes (default 200)")->check(CLI::Range(size_t{1}, size_t{100'000}));
  gp->add_option("--length", gp_flags->length, "Points per window (default 60)")->check(CLI::Range(size_t{2}, size_t{2'000}));
  gp->add_option("--repeat", gp_flags->repeat, "Passes of the fixed-kernel run (default 5)")->check(CLI::Range(1, 1000));
  gp->callback([&exit_code, gp_flags] {
    exit_code = exit_code_of(bench::bench_gp(*gp_flags));
  });
  etl->callback([&global, &exit_code, flags] {
    with_config(global, exit_code, [&](const core::Config& config) { return bench::bench_etl(config, *flags); });
  });
}

}  // namespace cryptolake::cli
