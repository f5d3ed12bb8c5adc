#include "transform/posts_etl.hpp"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "sources/social/reddit_parser.hpp"
#include "sources/social/tweet_parser.hpp"
#include "lake/partition_writer.hpp"
#include "lake/worker_pool.hpp"
#include "transform/incremental_scan.hpp"
#include "transform/post_cleaning.hpp"
#include "transform/post_spill.hpp"

namespace cryptolake::transform {

using core::Timestamp;
using lake::ColumnType;

const std::vector<lake::ColumnSpec>& posts_schema() {
  static const std::vector<lake::ColumnSpec> schema = {
      {"platform", ColumnType::varchar},        {"post_id", ColumnType::varchar},
      {"created_at", ColumnType::timestamp_tz}, {"author_id", ColumnType::varchar},
      {"text", ColumnType::varchar},            {"lang", ColumnType::varchar},
      {"like_count", ColumnType::bigint},       {"retweet_count", ColumnType::bigint},
      {"reply_count", ColumnType::bigint},      {"quote_count", ColumnType::bigint},
      {"hashtags", ColumnType::varchar_list},   {"cashtags", ColumnType::varchar_list},
      {"coins", ColumnType::varchar_list},      {"sentiment", ColumnType::float64},
      {"received_at", ColumnType::timestamp_tz}, {"is_retweet", ColumnType::bigint},
      {"retweet_of", ColumnType::varchar},      {"text_clean", ColumnType::varchar},
      {"extra", ColumnType::varchar}};
  return schema;
}

namespace {

// Cleans, enriches and writes posts that are each the one copy of their (platform, id) kept:
// their days' partitions, in (created_at, platform, id) order.
core::Result<size_t> write_posts(lake::ObjectStore& store, lake::DuckDb& duckdb, std::vector<core::Post>& posts, size_t threads,
                                 const core::PostEnricher* enricher) {
  // On the threads: a 600-day run spent ~2 s of its posts stage sorting, cleaning and scoring on
  // one thread while the other waited. The order is total (one copy per post), so the same. A
  // merge's buffer would hold up to half the posts again, beyond the memory budget: in place.
  lake::bucket_sort(posts, threads, [](const core::Post& post) { return post.created_at.days_since_epoch(); },
                    [](const core::Post& a, const core::Post& b) {
                      if (a.created_at != b.created_at) return a.created_at < b.created_at;
                      if (a.platform != b.platform) return a.platform < b.platform;
                      return id_less(a.post_id, b.post_id);
                    },
                    lake::SortFallback::in_place);
  constexpr size_t kPostsPerTask = 1024;
  lake::for_each_on_threads(threads, (posts.size() + kPostsPerTask - 1) / kPostsPerTask, [&](size_t, size_t task) {
    for (size_t i = task * kPostsPerTask; i < std::min(posts.size(), (task + 1) * kPostsPerTask); ++i) {
      clean_post(posts[i]);
      if (enricher != nullptr) enricher->enrich(posts[i]);
    }
  });
  const std::vector<lake::PartitionSlice> slices =
      lake::day_slices(posts, [](const core::Post& post) { return post.created_at.days_since_epoch(); });
  const auto fill = [&](const lake::PartitionSlice& slice, lake::ColumnBatch& batch) {
    for (size_t r = slice.begin; r < slice.end; ++r) {
      const core::Post& p = posts[r];
      batch.add(p.platform);
      batch.add(p.post_id);
      batch.add(p.created_at.micros());
      batch.add(p.author_id);
      batch.add(p.text);
      batch.add(p.lang);
      batch.add(p.like_count);
      batch.add(p.retweet_count);
      batch.add(p.reply_count);
      batch.add(p.quote_count);
      batch.add(p.hashtags);
      batch.add(p.cashtags);
      if (p.coins) batch.add(*p.coins);
      else batch.add_null();
      if (p.sentiment) batch.add(*p.sentiment);
      else batch.add_null();
      batch.add(p.received_at.micros());
      batch.add(int64_t{p.is_retweet});
      if (p.retweet_of.empty()) batch.add_null();
      else batch.add(p.retweet_of);
      batch.add(p.text_clean);
      if (p.extra.empty()) batch.add_null();
      else batch.add(p.extra);
      batch.end_row();
    }
  };
  return lake::write_partitions(store, duckdb, "posts", posts_schema(), slices, fill, threads);
}

}  // namespace

core::Result<lake::WriteStats> run_posts_etl(lake::ObjectStore& store, lake::DuckDb& duckdb, const EtlOptions& options,
                                     const core::PostEnricher* enricher) {
  lake::WriteStats stats;
  stats.table = "posts";
  const size_t threads = std::max<size_t>(1, options.threads);
  std::vector<std::vector<core::Post>> parsed(threads);
  std::vector<DaysByObject> days_by_key(threads);  // per thread: the days each batch yielded posts for
  PostSpill spill(options.memory_bytes, threads);
  using Parse = core::Status (*)(simdjson::dom::element, core::Timestamp, std::vector<core::Post>&,
                                 std::vector<sources::social::RejectedPost>&);
  const auto handler_for = [&](Parse parse, std::string_view what) {
    return [&, parse, what](size_t thread, const EnvelopeView& e, std::vector<lake::QuarantineRecord>& rejects) {
      std::vector<sources::social::RejectedPost> rejected;
      const size_t before = parsed[thread].size();
      if (auto status = parse(e.payload, e.received_at, parsed[thread], rejected); !status) {
        rejects.push_back({status.error().message, std::string(e.batch_key), e.line, simdjson::minify(e.payload)});
        return;
      }
      for (auto& bad : rejected) {
        rejects.push_back({fmt::format("{}[{}]: {}", what, bad.index, bad.reason), std::string(e.batch_key), e.line, std::move(bad.text)});
      }
      std::set<int64_t>& days = days_by_key[thread][std::string(e.batch_key)];
      for (size_t i = before; i < parsed[thread].size(); ++i) days.insert(parsed[thread][i].created_at.days_since_epoch());
      spill.after_object(thread, parsed[thread]);
    };
  };
  const EnvelopeHandler tweets = handler_for(&sources::social::parse_v2_search, "tweet");
  const EnvelopeHandler reddit = handler_for(&sources::social::parse_reddit_listing, "reddit");
  const auto scan = [&](const std::vector<RawObject>& objects) -> core::Result<DaysByObject> {
    for (const std::string_view dataset : {"tweets", "reddit_new"}) {
      std::vector<RawObject> batches;
      for (const RawObject& object : objects) {
        if (object.dataset == dataset && object.key.ends_with(".ndjson.zst")) batches.push_back(object);
      }
      TRY_ASSIGN(const ScanStats scanned, scan_batches(store, batches, "posts", threads, dataset == "tweets" ? tweets : reddit,
                                                       dataset == "tweets" ? options.progress : ScanProgress{}));
      stats.batches += scanned.batches;
      stats.bytes += scanned.bytes;
      stats.quarantined += scanned.quarantined;
    }
    DaysByObject days;
    for (DaysByObject& part : days_by_key) {
      for (auto& [key, d] : part) days[key].insert(d.begin(), d.end());
      part.clear();
    }
    return days;
  };
  TRY_ASSIGN(const std::vector<RawObject> objects, list_raw_objects(store, {"tweets", "reddit_new"}));
  TRY_ASSIGN(const IncrementalScan plan, scan_incrementally(objects, options.consumed, scan));
  if (options.now_consumed != nullptr) *options.now_consumed = plan.ledger;

  TRY(spill.finish_scan(parsed));
  if (spill.spilled()) {
    // Beyond the budget: the latest copy of each post chosen from the keys, then the days a group at a time.
    stats.records_in = spill.posts();
    stats.duplicates = spill.choose_latest(plan.days);
    for (const std::vector<int64_t>& days : spill.groups()) {
      std::vector<core::Post> posts;
      TRY(spill.read_back(days, posts));
      stats.rows_out += posts.size();
      TRY_ASSIGN(const size_t written, write_posts(store, duckdb, posts, threads, enricher));
      stats.partitions += written;
    }
    spdlog::debug("posts: beyond the memory budget, spilled by day and written in groups");
    return stats;
  }

  // One vector sized once, each thread's part let go as soon as it is moved: growing by doubling
  // and keeping the moved-from parts had held the posts about three times over (1 GB at 600 days).
  std::vector<core::Post> posts;
  for (const auto& part : parsed) stats.records_in += part.size();
  posts.reserve(stats.records_in);
  for (auto& part : parsed) {
    for (core::Post& post : part) {
      // An incremental run rebuilds only the days new batches touch; posts of other days it read stay out.
      if (!plan.days || plan.days->contains(post.created_at.days_since_epoch())) posts.push_back(std::move(post));
    }
    std::vector<core::Post>().swap(part);
  }
  std::ranges::sort(posts, [](const core::Post& a, const core::Post& b) { return kept_first(PostCopy::of(a), PostCopy::of(b)); });
  const auto duplicate =
      std::ranges::unique(posts, [](const core::Post& a, const core::Post& b) { return PostCopy::of(a).same_post(PostCopy::of(b)); });
  stats.duplicates = duplicate.size();
  posts.erase(duplicate.begin(), duplicate.end());
  stats.rows_out = posts.size();
  TRY_ASSIGN(stats.partitions, write_posts(store, duckdb, posts, threads, enricher));
  return stats;
}

}  // namespace cryptolake::transform
