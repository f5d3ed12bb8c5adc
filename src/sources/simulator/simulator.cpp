#include "sources/simulator/simulator.hpp"

#include <map>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/json_text.hpp"
#include "sources/simulator/market_simulator.hpp"
#include "sources/simulator/post_simulator.hpp"
#include "sources/simulator/random.hpp"

namespace cryptolake::sources::simulator {

using core::Timestamp;

namespace {

// A candle as it travels in one poll's payload.
struct SentRow {
  size_t minute;
  double volume_factor = 1.0;  // a revised re-send changes the volume
  int malformed_kind = -1;     // >= 0: send a garbled copy of this kind
};

constexpr std::array<std::string_view, 4> kMalformedKinds = {"not a decimal", "high below low", "short row",
                                                             "negative volume"};

void append_decimal(std::string& out, double value, int decimals) {
  out += '"';
  out += fmt::format("{:.{}f}", value, decimals);
  out += '"';
}

// One Binance REST kline row: decimals are strings with 8 places, times are ms.
void append_kline_row(std::string& out, const Candle& c, const SentRow& row) {
  const int64_t open_ms = c.open_time.millis();
  const double volume = c.volume * row.volume_factor;
  out += fmt::format("[{},", open_ms);
  switch (row.malformed_kind) {
    case 0: out += "\"12x.5\","; break;  // not a decimal
    default: append_decimal(out, c.open, 8); out += ','; break;
  }
  if (row.malformed_kind == 1) {  // high below low
    append_decimal(out, c.low * 0.99, 8);
    out += ',';
    append_decimal(out, c.high * 1.01, 8);
    out += ',';
  } else {
    append_decimal(out, c.high, 8);
    out += ',';
    append_decimal(out, c.low, 8);
    out += ',';
  }
  append_decimal(out, c.close, 8);
  out += ',';
  append_decimal(out, row.malformed_kind == 3 ? -volume : volume, 8);
  if (row.malformed_kind == 2) {  // short row: the connection cut the row short
    out += ']';
    return;
  }
  out += fmt::format(",{},", open_ms + 59'999);
  append_decimal(out, c.quote_volume * row.volume_factor, 8);
  out += fmt::format(",{},", c.trades);
  append_decimal(out, c.taker_buy_base * row.volume_factor, 8);
  out += ',';
  append_decimal(out, c.taker_buy_quote * row.volume_factor, 8);
  out += ",\"0\"]";
}

std::string tweet_json(const SimulatedPost& p, bool garble_date) {
  std::string out = "{\"id\":";
  core::append_json_string(out, p.id);
  out += ",\"text\":";
  core::append_json_string(out, p.text);
  out += ",\"author_id\":";
  core::append_json_string(out, p.author_id);
  out += ",\"created_at\":";
  const std::string iso = p.created_at.iso();  // …T12:34:56.789000Z -> …T12:34:56.789Z
  core::append_json_string(out, garble_date ? "2024-13-45T99:00:00.000Z" : iso.substr(0, 23) + "Z");
  out += ",\"lang\":";
  core::append_json_string(out, p.lang);
  out += fmt::format(
      ",\"public_metrics\":{{\"retweet_count\":{},\"reply_count\":{},\"like_count\":{},\"quote_count\":{}}}",
      p.retweet_count, p.reply_count, p.like_count, p.quote_count);
  out += ",\"entities\":{";
  const auto tags = [&](std::string_view kind, const std::vector<std::string>& items) {
    out += fmt::format("\"{}\":[", kind);
    for (size_t i = 0; i < items.size(); ++i) {
      out += i ? ",{\"tag\":" : "{\"tag\":";
      core::append_json_string(out, items[i]);
      out += '}';
    }
    out += ']';
  };
  tags("hashtags", p.hashtags);
  out += ',';
  tags("cashtags", p.cashtags);
  out += "}}";
  return out;
}

}  // namespace

std::string SimulationReport::to_json() const {
  std::string out = "{\"symbols\":[";
  for (size_t i = 0; i < symbols.size(); ++i) out += (i ? "," : "") + core::json_string(symbols[i]);
  out += fmt::format("],\"start\":{},\"seed\":{},\"minutes\":{},\"klines\":{},\"kline_rows_sent\":{},\"duplicates\":{},"
                     "\"late\":{},\"posts\":{},\"post_duplicates\":{},\"envelopes\":{},\"batches\":{},\"gaps\":[",
                     core::json_string(start.iso()), seed, minutes, klines, kline_rows_sent, duplicates, late, posts,
                     post_duplicates, envelopes, batches);
  for (size_t i = 0; i < gaps.size(); ++i) {
    out += fmt::format("{}{{\"symbol\":{},\"start\":{},\"minutes\":{}}}", i ? "," : "", core::json_string(gaps[i].symbol),
                       core::json_string(gaps[i].start.iso()), gaps[i].minutes);
  }
  out += "],\"malformed\":[";
  for (size_t i = 0; i < malformed.size(); ++i) {
    out += fmt::format("{}{{\"dataset\":{},\"key\":{},\"kind\":{}}}", i ? "," : "",
                       core::json_string(malformed[i].dataset), core::json_string(malformed[i].key),
                       core::json_string(malformed[i].kind));
  }
  return out + "]}";
}

core::Result<core::SimulatorConfig> simulation_of_manifest(std::string_view manifest_json, core::SimulatorConfig base) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(manifest_json.data(), manifest_json.size()).get(root) != simdjson::SUCCESS) {
    return core::fail(core::ErrorCode::corrupt_data, "the simulator manifest is not JSON");
  }
  std::string_view start;
  uint64_t seed = 0;
  simdjson::dom::array symbols;
  if (root["start"].get(start) != simdjson::SUCCESS || root["seed"].get(seed) != simdjson::SUCCESS ||
      root["symbols"].get(symbols) != simdjson::SUCCESS || start.size() < 10 || !core::Timestamp::parse_date(start.substr(0, 10))) {
    return core::fail(core::ErrorCode::corrupt_data, "the simulator manifest lacks start, seed or symbols (made by an older cryptolake?)");
  }
  base.start = std::string(start.substr(0, 10));
  base.seed = seed;
  base.symbols.clear();
  for (const auto symbol : symbols) {
    std::string_view text;
    if (symbol.get(text) != simdjson::SUCCESS) return core::fail(core::ErrorCode::corrupt_data, "a simulator manifest symbol is not text");
    base.symbols.emplace_back(text);
  }
  return base;
}

core::Result<SimulationReport> run_simulation(const SimulationOptions& options, io::RawSink& raw,
                                              const Progress& progress) {
  const core::SimulatorConfig& cfg = options.config;
  if (options.page_minutes < 1 || options.page_minutes > 1000) {
    return core::fail(core::ErrorCode::invalid_argument, "page size {} outside 1..1000", options.page_minutes);
  }
  const auto start_day = Timestamp::parse_date(cfg.start);
  if (!start_day) return core::fail(core::ErrorCode::invalid_argument, "simulator.start '{}' is not a date", cfg.start);
  std::vector<core::Symbol> symbols;
  for (const std::string& text : cfg.symbols) {
    TRY_ASSIGN(core::Symbol symbol, core::Symbol::parse(text));
    symbols.push_back(std::move(symbol));
  }
  if (symbols.empty()) return core::fail(core::ErrorCode::invalid_argument, "simulator needs at least one symbol");
  const int64_t minutes = static_cast<int64_t>(cfg.days) * 1440;
  const MarketPaths market = simulate_market(symbols, *start_day, minutes, cfg.seed);

  SimulationReport report;
  report.start = *start_day;
  report.seed = cfg.seed;
  report.minutes = minutes;
  for (const auto& s : symbols) report.symbols.push_back(s.canonical());

  // Decide every fault up front, then route each candle into the poll that sends it.
  const int64_t page = options.page_minutes;
  const int64_t polls = (minutes + page - 1) / page + 2;  // two extra polls carry late re-sends
  std::vector<std::vector<std::vector<SentRow>>> routed(symbols.size(), std::vector<std::vector<SentRow>>(polls));
  for (size_t s = 0; s < symbols.size(); ++s) {
    Random rng(derive_seed(cfg.seed, 2000 + s));
    int64_t gap_start = -1;
    if (cfg.gap_minutes > 0 && minutes > 2 * cfg.gap_minutes + 120) {
      gap_start = 60 + static_cast<int64_t>(rng.below(static_cast<uint64_t>(minutes - 120 - cfg.gap_minutes)));
      report.gaps.push_back({symbols[s].canonical(), *start_day + gap_start * Timestamp::kMicrosPerMinute, cfg.gap_minutes});
    }
    for (int64_t m = 0; m < minutes; ++m) {
      if (gap_start >= 0 && m >= gap_start && m < gap_start + cfg.gap_minutes) continue;
      const int64_t poll = m / page;
      const auto minute = static_cast<size_t>(m);
      ++report.klines;
      if (rng.uniform() < cfg.late_rate) {
        // Held back, then sent first in a later poll: late and out of order.
        auto& later = routed[s][static_cast<size_t>(poll + 2)];
        later.insert(later.begin(), SentRow{minute});
        ++report.late;
      } else {
        routed[s][static_cast<size_t>(poll)].push_back(SentRow{minute});
      }
      if (rng.uniform() < cfg.duplicate_rate) {
        routed[s][static_cast<size_t>(poll + 1)].push_back(SentRow{minute, 1.01});
        ++report.duplicates;
      }
      if (rng.uniform() < cfg.malformed_rate) {
        const int kind = static_cast<int>(rng.below(kMalformedKinds.size()));
        routed[s][static_cast<size_t>(poll + 1)].push_back(SentRow{minute, 1.0, kind});
        report.malformed.push_back({"klines", fmt::format("{}@{}", symbols[s].canonical(), market.candles[s][minute].open_time.iso()),
                                    std::string(kMalformedKinds[static_cast<size_t>(kind)])});
      }
    }
  }

  std::vector<std::vector<std::vector<SimulatedPost>>> posts;
  if (options.posts) posts = simulate_posts(market, cfg.posts_per_hour, cfg.sentiment_lead_minutes, cfg.seed);
  const int64_t hours = minutes / 60;
  const size_t total_steps = static_cast<size_t>(polls + (options.posts ? hours + 1 : 0));
  size_t done = 0;

  for (int64_t poll = 0; poll < polls; ++poll) {
    const Timestamp window_start = *start_day + poll * page * Timestamp::kMicrosPerMinute;
    const Timestamp window_end = window_start + page * Timestamp::kMicrosPerMinute;
    std::vector<core::Envelope> envelopes;
    for (size_t s = 0; s < symbols.size(); ++s) {
      const auto& rows = routed[s][static_cast<size_t>(poll)];
      if (rows.empty() && poll * page >= minutes) continue;
      core::Envelope e;
      e.source = options.source;
      e.dataset = "klines";
      e.received_at = window_end + 2 * Timestamp::kMicrosPerSecond + static_cast<int64_t>(s) * 50'000;
      e.request = fmt::format(
          R"({{"method":"GET","endpoint":"/api/v3/klines","symbol":"{}","interval":"1m","startTime":{},"endTime":{},"limit":1000}})",
          symbols[s].exchange(), window_start.millis(), window_end.millis() - 1);
      e.payload.reserve(rows.size() * 190 + 2);
      e.payload += '[';
      for (size_t i = 0; i < rows.size(); ++i) {
        if (i) e.payload += ',';
        append_kline_row(e.payload, market.candles[s][rows[i].minute], rows[i]);
      }
      e.payload += ']';
      report.kline_rows_sent += rows.size();
      envelopes.push_back(std::move(e));
    }
    if (!envelopes.empty()) {
      TRY(raw.land(envelopes));
      report.envelopes += envelopes.size();
      ++report.batches;
    }
    if (progress) progress(++done, total_steps);
  }

  if (options.posts) {
    // One X search per coin and hour, received just after the hour. Some posts are returned again
    // by the next hour's search (overlapping windows); a few come back with a garbled date.
    std::vector<std::vector<std::pair<const SimulatedPost*, bool>>> carry(symbols.size());
    for (int64_t h = 0; h <= hours; ++h) {
      std::vector<core::Envelope> envelopes;
      for (size_t c = 0; c < symbols.size(); ++c) {
        Random rng(derive_seed(cfg.seed, 9000 + static_cast<uint64_t>(h) * 64 + c));
        std::vector<std::pair<const SimulatedPost*, bool>> sent = std::move(carry[c]);
        carry[c].clear();
        if (h < hours) {
          for (const SimulatedPost& p : posts[c][static_cast<size_t>(h)]) {
            sent.emplace_back(&p, false);
            ++report.posts;
            if (rng.uniform() < cfg.duplicate_rate * 10) {
              carry[c].emplace_back(&p, false);
              ++report.post_duplicates;
            }
            if (rng.uniform() < cfg.malformed_rate * 10) {
              carry[c].emplace_back(&p, true);
              report.malformed.push_back({"tweets", p.id, "created_at not a date"});
            }
          }
        }
        if (sent.empty()) continue;
        const Timestamp window_start = *start_day + h * Timestamp::kMicrosPerHour;
        core::Envelope e;
        e.source = options.source;
        e.dataset = "tweets";
        e.received_at = window_start + Timestamp::kMicrosPerHour + 5 * Timestamp::kMicrosPerSecond +
                        static_cast<int64_t>(c) * 80'000;
        const std::string base = symbols[c].base();
        const std::string query = fmt::format("${} OR #{} OR {}", base, coin_name(base), coin_name(base));
        e.request = fmt::format(R"({{"method":"GET","endpoint":"/2/tweets/search/recent","query":{},"start_time":"{}","end_time":"{}","max_results":100}})",
                                core::json_string(query), window_start.iso(), (window_start + Timestamp::kMicrosPerHour).iso());
        e.payload = "{\"data\":[";
        for (size_t i = 0; i < sent.size(); ++i) {
          if (i) e.payload += ',';
          e.payload += tweet_json(*sent[i].first, sent[i].second);
        }
        e.payload += fmt::format("],\"meta\":{{\"newest_id\":{},\"oldest_id\":{},\"result_count\":{}}}}}",
                                 core::json_string(sent.back().first->id), core::json_string(sent.front().first->id),
                                 sent.size());
        envelopes.push_back(std::move(e));
      }
      if (!envelopes.empty()) {
        TRY(raw.land(envelopes));
        report.envelopes += envelopes.size();
        ++report.batches;
      }
      if (progress) progress(++done, total_steps);
    }
  }
  return report;
}

}  // namespace cryptolake::sources::simulator
