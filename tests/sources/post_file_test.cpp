#include "sources/social/post_file_parser.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "support/fixtures.hpp"

namespace cryptolake::sources::social {
namespace {

using core::Timestamp;

const Timestamp kNow = Timestamp::from_seconds(1'763'000'000);

TEST(PostFiles, AdvertoolsV11ExportWithExactIdsAndMultilineFields) {
  auto file = parse_post_file(testing::read_fixture("tweets_bitcoin_2021-11_twitter_v1.1_advertools.csv"), {}, kNow);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->format, "csv (',')");
  EXPECT_EQ(file->records, 2137u);  // counted by hand (and by Python's csv module)
  EXPECT_EQ(file->posts.size(), 2137u);
  EXPECT_TRUE(file->rejected.empty());
  EXPECT_EQ(file->synthesized_ids, 0u);  // tweet_id_str is exact; the float-rounded tweet_id is not used
  std::set<std::string> ids;
  for (const auto& p : file->posts) ids.insert(p.post_id);
  EXPECT_TRUE(ids.contains("1458369669648183296"));
  EXPECT_FALSE(ids.contains("1458369669648183300"));
  EXPECT_EQ(file->posts.front().created_at.iso(), "2021-11-10T09:43:19.000000Z");
  EXPECT_TRUE(std::ranges::any_of(file->posts, [](const core::Post& p) { return p.text.find('\n') != std::string::npos; }));
}

TEST(PostFiles, RettiwtJsonArray) {
  auto file = parse_post_file(testing::read_fixture("tweets_bitcoin_2025-11_rettiwt_normalized.json"), {}, kNow);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->format, "json array");
  EXPECT_EQ(file->posts.size(), 942u);
  EXPECT_EQ(file->posts.front().post_id, "1986506310968332373");
  EXPECT_EQ(file->posts.front().author_id, "jamers2012");
}

TEST(PostFiles, AHeaderThatDoesNotMatchItsRowsIsAClearErrorOrAMapping) {
  const std::string text = testing::read_fixture("tweets_btc_influencers_2021-08_malformed_header.csv");
  auto refused = parse_post_file(text, {}, kNow);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("the header has 9 columns but 42 of 42 rows have 7"), std::string::npos)
      << refused.error().message;
  auto mapped = parse_post_file(text, {.map = {{"author", "2"}, {"created_at", "3"}, {"text", "4"}, {"likes", "6"}, {"retweets", "7"}}, .day_order = core::DayOrder::unknown, .date_format = ""}, kNow);
  ASSERT_TRUE(mapped) << mapped.error().message;
  ASSERT_EQ(mapped->posts.size(), 42u);
  EXPECT_EQ(mapped->posts[0].author_id, "@BobLoukas");
  EXPECT_EQ(mapped->posts[0].like_count, 53);
  EXPECT_EQ(mapped->posts[0].retweet_count, 899);
  EXPECT_EQ(mapped->synthesized_ids, 42u);  // the export has no ids at all
}

TEST(PostFiles, DialectsFloatIdsAndBadRows) {
  const std::string csv =
      "\xEF\xBB\xBFid;user;date;text;likes\r\n"
      "1.00534E+18;alice;2024-01-01 10:00:00;\"$BTC up; \"\"nice\"\"\r\nsecond line\";3\r\n"
      "1.00534E+18;bob;2024-01-01 10:00:05;\"$ETH down &amp; out\";1\r\n"
      "123;carol;2024-02-30 10:00:00;impossible date;0\r\n"
      "124;dave;2024-01-01 11:00:00;bad \xff bytes;0\r\n"
      "125;erin;Tue Nov 09 04:01:46 +0000 2021;v1.1 time;2\r\n";
  auto file = parse_post_file(csv, {}, kNow);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->format, "csv (';')");
  ASSERT_EQ(file->posts.size(), 3u);
  EXPECT_EQ(file->posts[0].text, "$BTC up; \"nice\"\r\nsecond line");
  EXPECT_EQ(file->posts[1].text, "$ETH down &amp; out");  // as written: the curated table decodes entities
  EXPECT_NE(file->posts[0].post_id, file->posts[1].post_id);  // mangled ids rebuilt, still distinct
  EXPECT_EQ(file->synthesized_ids, 2u);
  EXPECT_EQ(file->posts[2].created_at.iso(), "2021-11-09T04:01:46.000000Z");
  ASSERT_EQ(file->rejected.size(), 2u);
  EXPECT_EQ(file->rejected[0].reason, "created_at is not a date ('2024-02-30 10:00:00')");
  EXPECT_EQ(file->rejected[1].reason, "text is not valid UTF-8");
}

TEST(PostFiles, XV2ResponsesAndNdjson) {
  auto v2 = parse_post_file(R"({"data":[{"id":"10","text":"gm $SOL","author_id":"7","created_at":"2024-01-01T00:00:00.000Z",)"
                            R"("public_metrics":{"like_count":4,"retweet_count":1}}],"meta":{"result_count":1}})", {}, kNow);
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->format, "x v2 response");
  ASSERT_EQ(v2->posts.size(), 1u);
  EXPECT_EQ(v2->posts[0].like_count, 4);
  auto nd = parse_post_file("{\"id_str\":\"1\",\"full_text\":\"a\",\"created_at\":\"Tue Nov 09 04:01:46 +0000 2021\",\"user\":{\"screen_name\":\"x\"}}\n"
                            "not json\n", {}, kNow);
  ASSERT_TRUE(nd);
  EXPECT_EQ(nd->format, "ndjson");
  ASSERT_EQ(nd->posts.size(), 1u);
  EXPECT_EQ(nd->posts[0].author_id, "x");
  ASSERT_EQ(nd->rejected.size(), 1u);
  EXPECT_EQ(nd->rejected[0].reason, "not a JSON object ('not json')");
}

// The instant of an ISO text, to compare readings with.
Timestamp at(const char* iso) { return Timestamp::parse_iso(iso).value(); }

TEST(PostFiles, SpreadsheetDatesAreReadDayFirstWhenAValueProvesIt) {
  const std::string csv =
      "id,text,created_at\n"
      "1,first,03-04-2021 10:15\n"
      "2,second,25-04-2021 09:00\n"
      "3,third,1617444900\n"
      "4,fourth,\"1617444900000\"\n"
      "5,fifth,04/05/2021 1:05 PM\n";
  auto file = parse_post_file(csv, {}, kNow);
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_EQ(file->posts.size(), 5u);
  EXPECT_EQ(file->posts[0].created_at, at("2021-04-03T10:15:00Z"));
  EXPECT_EQ(file->posts[1].created_at, at("2021-04-25T09:00:00Z"));
  EXPECT_EQ(file->posts[2].created_at, at("2021-04-03T10:15:00Z"));  // date -u -d @1617444900
  EXPECT_EQ(file->posts[3].created_at, at("2021-04-03T10:15:00Z"));
  EXPECT_EQ(file->posts[4].created_at, at("2021-05-04T13:05:00Z"));
  EXPECT_EQ(file->date_reading, "day-first (e.g. '25-04-2021 09:00')");
}

TEST(PostFiles, AnAmbiguousDateColumnIsRefusedUntilTheUserSaysHowItIsWritten) {
  const std::string csv = "id,text,created_at\n1,a,03/04/2021 10:00\n2,b,05/06/2021 11:00\n";
  auto refused = parse_post_file(csv, {}, kNow);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("created_at is ambiguous: 2 value(s) like '03/04/2021 10:00'"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("--day-first or --month-first"), std::string::npos);
  auto day_first = parse_post_file(csv, {.map = {}, .day_order = core::DayOrder::day_first, .date_format = ""}, kNow);
  ASSERT_TRUE(day_first);
  EXPECT_EQ(day_first->posts[0].created_at, at("2021-04-03T10:00:00Z"));
  auto month_first = parse_post_file(csv, {.map = {}, .day_order = core::DayOrder::month_first, .date_format = ""}, kNow);
  ASSERT_TRUE(month_first);
  EXPECT_EQ(month_first->posts[0].created_at, at("2021-03-04T10:00:00Z"));
  auto formatted = parse_post_file(csv, {.map = {}, .day_order = core::DayOrder::unknown, .date_format = "%m/%d/%Y %H:%M"}, kNow);
  ASSERT_TRUE(formatted);
  EXPECT_EQ(formatted->posts[1].created_at, at("2021-05-06T11:00:00Z"));
}

TEST(PostFiles, FailuresThatShareAReasonAreCountedWithAnExampleAndTheFix) {
  std::string csv = "id,text,created_at\n";
  for (int i = 0; i < 40; ++i) csv += fmt::format("{},post {},2021-11-{}T10:00:00Z\n", i, i, i < 30 ? "09" : "xx");
  auto file = parse_post_file(csv, {}, kNow);
  ASSERT_TRUE(file);
  EXPECT_EQ(file->posts.size(), 30u);
  ASSERT_EQ(file->reasons.size(), 1u);
  EXPECT_EQ(file->reasons[0].reason, "created_at is not a date");
  EXPECT_EQ(file->reasons[0].count, 10u);
  EXPECT_EQ(file->reasons[0].example, "2021-11-xxT10:00:00Z");
  EXPECT_NE(file->reasons[0].fix.find("--date-format"), std::string::npos);
}

TEST(PostFiles, TheTextIsKeptExactlyAsWritten) {
  const std::string text = "Line one  with  spaces\n\nhttps://example.com/a?b=c&d=e\r\n\t$BTC 🚀 &amp;";
  const std::string csv = "id,text,created_at\n7,\"" + text + "\",2024-01-01 00:00:00\n";
  auto file = parse_post_file(csv, {}, kNow);
  ASSERT_TRUE(file);
  ASSERT_EQ(file->posts.size(), 1u);
  EXPECT_EQ(file->posts[0].text, text);
}

TEST(PostFiles, HeadersMatchInAnyCaseUnderTheirSynonymsAndEveryOtherColumnIsKept) {
  const std::string csv =
      "Tweet ID,Username,Text,Date,Retweet,Likes,Replies,Hashtags,Polarity\n"
      "11,alice,\"ETH and #bitcoin up, $BTC $5 #1\",2024-01-01 10:00,7,12,3,\"['btc', 'crypto']\",0.4\n"
      "12,bob,no tags here,2024-01-01 11:00,0,1,0,,-0.1\n"
      "13,carol,$SOL #solana,2024-01-01 12:00,1,2,0,\"#sol, #crypto\",0\n";
  auto file = parse_post_file(csv, {}, kNow);
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_EQ(file->posts.size(), 3u);
  const core::Post& a = file->posts[0];
  EXPECT_EQ(a.post_id, "11");
  EXPECT_EQ(a.author_id, "alice");
  EXPECT_EQ(a.retweet_count, 7);
  EXPECT_EQ(a.like_count, 12);
  EXPECT_EQ(a.reply_count, 3);
  const std::string sep(1, core::kListSeparator);
  EXPECT_EQ(a.hashtags, "btc" + sep + "crypto");  // the file's column wins over the text
  EXPECT_EQ(a.cashtags, "BTC");                   // no cashtag column: taken from the text, "$5" is money
  EXPECT_EQ(a.extra, R"({"Polarity":"0.4"})");
  EXPECT_EQ(file->posts[1].hashtags, "");
  EXPECT_EQ(file->posts[2].hashtags, "sol" + sep + "crypto");
  EXPECT_EQ(file->posts[2].cashtags, "SOL");
  // --map names headers in any case.
  auto mapped = parse_post_file(csv, {.map = {{"Likes", "POLARITY"}}, .day_order = core::DayOrder::unknown, .date_format = ""}, kNow);
  ASSERT_TRUE(mapped) << mapped.error().message;
  EXPECT_EQ(mapped->posts[0].like_count, 0);  // 0.4 likes, truncated: the user said so
  EXPECT_EQ(mapped->posts[0].extra, R"({"Likes":"12"})");
}

TEST(PostFiles, TagsInTextAndTagLists) {
  const std::string sep(1, core::kListSeparator);
  EXPECT_EQ(hashtags_in("#BTC to the moon, #crypto_news! a#b #2024 #"), "BTC" + sep + "crypto_news");
  EXPECT_EQ(cashtags_in("$btc, $ETH.$5 US$100 $VERYLONGTICKER1"), "btc" + sep + "ETH");
  EXPECT_EQ(split_tag_list(R"(["btc","eth"])"), "btc" + sep + "eth");
  EXPECT_EQ(split_tag_list("['btc', 'crypto']"), "btc" + sep + "crypto");
  EXPECT_EQ(split_tag_list("#btc #eth"), "btc" + sep + "eth");
  EXPECT_EQ(split_tag_list(""), "");
}

TEST(PostFiles, JsonThatIsNotPostsIsNamedNotCrashedOn) {
  for (const auto& [fixture, expected] : std::vector<std::pair<std::string, std::string>>{
           {"coingecko_market_chart_bitcoin_hourly_2023-10.json", "it looks like a CoinGecko market_chart response: use `cryptolake import api-response`"},
           {"coindesk_bpi_currentprice_2023-04-01.json", "a CoinDesk BPI currentprice response"},
           {"coincap_v2_assets_top100_2024-05-17.json", "a CoinCap assets response"},
           {"binance_rest_api_v3_klines_BTCUSDT_1m.json", "a Binance klines response"},
           {"coingecko_coins_markets_5_usd_2023-01-02.json", "a CoinGecko coins/markets response"},
           {"binance_rest_api_v3_ticker_24hr_BTCUSDT.json", "a Binance 24hr ticker response"}}) {
    auto file = parse_post_file(testing::read_fixture(fixture), {}, kNow);
    ASSERT_FALSE(file) << fixture;
    EXPECT_NE(file.error().message.find(expected), std::string::npos) << file.error().message;
  }
  auto other = parse_post_file(R"({"hello":"world"})", {}, kNow);
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("JSON of no known shape"), std::string::npos) << other.error().message;
  auto single = parse_post_file(R"({"id":"5","text":"one post","created_at":"2024-01-01T00:00:00Z"})", {}, kNow);
  ASSERT_TRUE(single);
  EXPECT_EQ(single->posts.size(), 1u);
}

TEST(PostFiles, ATruncatedJsonArrayIsReportedAsTruncatedNotReadAsNdjson) {
  const std::string whole = R"([{"id":"1","text":"a","created_at":"2024-01-01T00:00:00Z"},{"id":"2","text":"b","created_at":"2024-01-01T00:00:01Z"}])";
  const std::string cut = whole.substr(0, 70);
  auto file = parse_post_file(cut, {}, kNow);
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().message.find("truncated at byte 70"), std::string::npos) << file.error().message;
  auto object = parse_post_file("{\"id\":\"1\",\n\"text\":\"a\",\n", {}, kNow);
  ASSERT_FALSE(object);
  EXPECT_NE(object.error().message.find("truncated at byte"), std::string::npos) << object.error().message;
}

// The records as plain strings, for comparing.
std::vector<std::vector<std::string>> records_of(std::string_view text, char delimiter, bool* open_quote = nullptr) {
  std::vector<std::vector<std::string>> out;
  const CsvScan scan = CsvScanner(delimiter).scan(text, [&](std::span<const std::string_view> fields) {
    out.emplace_back(fields.begin(), fields.end());
    return true;
  });
  EXPECT_EQ(scan.end, text.size());
  if (open_quote != nullptr) *open_quote = scan.open_quote;
  return out;
}

TEST(Csv, QuotesNewlinesBlankLinesAndTheEdgesOfTheText) {
  using Records = std::vector<std::vector<std::string>>;
  EXPECT_EQ(records_of("a,b\n1,2\n", ','), (Records{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(records_of("a,b\r\n\r\n1,2", ','), (Records{{"a", "b"}, {"1", "2"}}));  // CRLF, a blank line, no final newline
  EXPECT_EQ(records_of("\"x,\"\"y\"\"\nz\",2\n", ','), (Records{{"x,\"y\"\nz", "2"}}));  // delimiter, "" and a newline inside quotes
  EXPECT_EQ(records_of("\"ab\"cd,e\n", ','), (Records{{"abcd", "e"}}));  // text after the closing quote stays
  EXPECT_EQ(records_of("a\"b,c\n", ','), (Records{{"a\"b", "c"}}));     // a quote inside a field is a character
  EXPECT_EQ(records_of("a,\n", ','), (Records{{"a", ""}}));
  EXPECT_EQ(records_of("a,", ','), (Records{{"a", ""}}));
  EXPECT_EQ(records_of("a;\"open", ';'), (Records{{"a", "open"}}));  // unterminated: the rest of the text
  EXPECT_EQ(records_of("\n\n", ','), Records{});
  EXPECT_EQ(records_of("", ','), Records{});
  EXPECT_EQ(records_of("\"\"", ','), (Records{{""}}));  // a quoted empty field at the end is a record
  // Unescaped copies live as long as their record; the next record's reuse them.
  EXPECT_EQ(records_of("\"a\"\"b\",\"c\"\"d\"x\n\"e\"\"\",f\n", ','), (Records{{"a\"b", "c\"dx"}, {"e\"", "f"}}));
  // A visit that refuses stops the scan after its record; `end` is where the next one starts.
  size_t seen = 0;
  const CsvScan stopped = CsvScanner(',').scan("\n\nh1,h2\r\nx,y\n", [&](std::span<const std::string_view> fields) {
    EXPECT_EQ(fields.size(), 2u);
    return ++seen > 1;
  });
  EXPECT_EQ(seen, 1u);
  EXPECT_EQ(stopped.end, 9u);
}

TEST(PostFiles, ManyThreadsReadAFileExactlyAsOneDoes) {
  std::string csv = "id,author,created_at,text,likes,mood\n";
  for (int i = 0; i < 50'000; ++i) {
    // Every 997th row is bad in one of two ways, so rejects fall into every part.
    const std::string when = i % 997 == 5 ? "not a date" : fmt::format("2024-01-{:02}T{:02}:{:02}:00Z", 1 + i % 28, i % 24, i % 60);
    csv += fmt::format("{},u{},{},\"post {} about $BTC, \"\"quoted\"\"\",{},{}\n", i, i % 13, when, i, i % 7, i % 997 == 11 ? "" : "calm");
    if (i % 997 == 11) csv.insert(csv.size() - 1, ",extra");
  }
  PostFileOptions one;
  one.threads = 1;
  PostFileOptions four;
  four.threads = 4;
  const auto a = parse_post_file(csv, one, kNow), b = parse_post_file(csv, four, kNow);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->records, 50'000u);
  EXPECT_EQ(a->rejected.size(), 2u * 51);  // 51 rows each (i % 997 == 5 or 11 below 50,000)
  EXPECT_EQ(a->posts.size(), 50'000u - a->rejected.size());
  ASSERT_EQ(a->posts.size(), b->posts.size());
  for (size_t i = 0; i < a->posts.size(); ++i) {
    ASSERT_EQ(a->posts[i].post_id, b->posts[i].post_id) << i;
    ASSERT_EQ(a->posts[i].text, b->posts[i].text) << i;
    ASSERT_EQ(a->posts[i].extra, b->posts[i].extra) << i;
  }
  ASSERT_EQ(a->rejected.size(), b->rejected.size());
  for (size_t i = 0; i < a->rejected.size(); ++i) EXPECT_EQ(a->rejected[i].index, b->rejected[i].index) << i;
  ASSERT_EQ(a->reasons.size(), 2u);
  ASSERT_EQ(b->reasons.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(a->reasons[i].reason, b->reasons[i].reason);
    EXPECT_EQ(a->reasons[i].count, 51u);
    EXPECT_EQ(b->reasons[i].count, 51u);
    EXPECT_EQ(a->reasons[i].example, b->reasons[i].example);
  }
  EXPECT_EQ(a->posts.front().text, "post 0 about $BTC, \"quoted\"");
}

TEST(Csv, CutsFallBetweenRecordsAndNeverInsideQuotes) {
  // Every fourth text holds a quoted newline, so many cut targets land inside quotes.
  std::string csv = "id,text\n";
  for (int i = 0; i < 2000; ++i) csv += i % 4 == 0 ? fmt::format("{},\"line one\nline two {}\"\n", i, i) : fmt::format("{},plain {}\n", i, i);
  // 100 bytes: many cuts; 5,000: blocks longer than the quote counter's 4,080-byte steps.
  for (const size_t target : {size_t{100}, size_t{5000}}) {
    const std::vector<size_t> cuts = record_cuts(csv, target);
    ASSERT_GT(cuts.size(), csv.size() / target / 2) << target;
    EXPECT_EQ(cuts.front(), 0u);
    EXPECT_EQ(cuts.back(), csv.size());
    std::vector<std::vector<std::string>> pieced;
    for (size_t p = 0; p + 1 < cuts.size(); ++p) {
      ASSERT_LT(cuts[p], cuts[p + 1]);
      bool open_quote = true;
      for (auto& record : records_of(std::string_view(csv).substr(cuts[p], cuts[p + 1] - cuts[p]), ',', &open_quote)) pieced.push_back(record);
      EXPECT_FALSE(open_quote) << "piece " << p << " of target " << target;
    }
    EXPECT_EQ(pieced, records_of(csv, ','));
    EXPECT_EQ(pieced.size(), 2001u);
  }
  EXPECT_EQ(record_cuts("a\nb\n", 100), (std::vector<size_t>{0, 4}));
  EXPECT_EQ(record_cuts("", 100), (std::vector<size_t>{0, 0}));
}

// A CSV of `rows` posts over several megabytes; row i's text is "post i …" over two lines.
std::string big_csv(int rows, std::string_view stray = "") {
  std::string csv = "id,author,created_at,text,likes\n";
  for (int i = 0; i < rows; ++i) {
    csv += fmt::format("{},u{}{},2024-03-{:02}T10:00:00Z,\"post {} \n{}\",{}\n", i + 1, i % 7, i == rows / 3 ? stray : "", 1 + i % 28, i,
                       std::string(100, 'x'), i % 5);
  }
  return csv;
}

TEST(PostFiles, ASinkGetsEveryPostOnceAPieceAtATimeEachBatchInItsPlace) {
  const std::string csv = big_csv(40'000);  // ~5.6 MB: several pieces
  const auto whole = parse_post_file(csv, {}, kNow);
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->posts.size(), 40'000u);
  std::mutex mutex;  // batches come from the reading threads
  std::map<size_t, std::vector<std::string>> ids_by_first;
  size_t largest = 0;
  const auto sunk = parse_post_file(csv, {}, kNow, [&](const PostBatch& batch) -> core::Status {
    std::lock_guard lock(mutex);
    largest = std::max(largest, batch.posts.size());
    EXPECT_EQ(batch.format, "csv (',')");
    auto& ids = ids_by_first[batch.first];
    EXPECT_TRUE(ids.empty()) << "two batches at " << batch.first;
    for (const core::Post& post : batch.posts) ids.push_back(post.post_id);
    return {};
  });
  ASSERT_TRUE(sunk) << sunk.error().message;
  EXPECT_TRUE(sunk->posts.empty());
  EXPECT_EQ(sunk->post_count, 40'000u);
  EXPECT_EQ(sunk->records, 40'000u);
  std::vector<std::string> ids;  // the batches laid end to end by their places: the file's posts in order
  for (const auto& [first, batch] : ids_by_first) {
    ASSERT_EQ(first, ids.size()) << "a batch's place is the count of posts before it";
    ids.insert(ids.end(), batch.begin(), batch.end());
  }
  ASSERT_EQ(ids.size(), 40'000u);
  for (size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(ids[i], std::to_string(i + 1)) << i;
  EXPECT_GT(ids_by_first.size(), 4u);
  EXPECT_LT(largest, 10'000u) << "a batch is one piece of about a megabyte, not the file";
  // An error from the sink stops the read and is what the read returns; a batch already on its
  // way on the other thread may still come.
  std::atomic<size_t> calls{0};
  const auto refused = parse_post_file(csv, {}, kNow, [&](const PostBatch&) -> core::Status {
    ++calls;
    return core::fail(core::ErrorCode::io_error, "disk full");
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "disk full");
  EXPECT_GE(calls.load(), 1u);
  EXPECT_LE(calls.load(), 2u) << "at most one batch per thread";
}

TEST(PostFiles, AFileThatOpensWithMegabytesOfBlankLinesStillHasItsHeaderFirst) {
  const std::string csv = std::string(3u << 20, '\n') + big_csv(100);
  const auto file = parse_post_file(csv, {}, kNow);
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->records, 100u);
  ASSERT_EQ(file->posts.size(), 100u);
  EXPECT_EQ(file->posts.front().post_id, "1");
  EXPECT_TRUE(file->rejected.empty());
}

TEST(PostFiles, AStrayQuoteThatFoolsTheCutsIsReadAsAWholeFileWould) {
  // A quote inside an unquoted field is a character, but it flips the quote parity the cuts go by:
  // the next cut falls on a newline inside a text, and the piece before it ends inside quotes.
  const std::string csv = big_csv(40'000, "\"");
  PostFileOptions one_piece_at_a_time;
  one_piece_at_a_time.threads = 1;
  for (const PostFileOptions& options : {PostFileOptions{}, one_piece_at_a_time}) {
    const auto file = parse_post_file(csv, options, kNow);
    ASSERT_TRUE(file) << file.error().message;
    ASSERT_EQ(file->posts.size(), 40'000u);
    EXPECT_TRUE(file->rejected.empty());
    for (size_t i = 0; i < file->posts.size(); ++i) {
      ASSERT_EQ(file->posts[i].post_id, std::to_string(i + 1)) << i;
      ASSERT_TRUE(file->posts[i].text.starts_with(fmt::format("post {} ", i))) << i;
    }
    EXPECT_EQ(file->posts[40'000 / 3].author_id, fmt::format("u{}\"", (40'000 / 3) % 7));
  }
}

// Every field of a post, to compare posts whole.
auto fields_of(const core::Post& p) {
  return std::tuple(p.platform, p.post_id, p.created_at.micros(), p.author_id, p.text, p.text_clean, p.lang, p.like_count, p.retweet_count,
                    p.reply_count, p.quote_count, p.hashtags, p.cashtags, p.is_retweet, p.retweet_of, p.coins, p.sentiment, p.extra,
                    p.received_at.micros());
}

TEST(PostFiles, APostBuiltOverAnEarlierOneKeepsNothingOfIt) {
  // A thread builds each piece's posts over its last piece's: long rows then short ones, tags in a
  // column then from the text, a language then none, real ids then mangled ones, an extra column.
  const std::string header = "id,author,created_at,text,likes,hashtags,lang,mood\n";
  std::vector<std::string> rows;
  for (int i = 0; i < 24'000; ++i) {
    const bool late = i >= 12'000;  // the second half differs from the first in every optional field
    rows.push_back(fmt::format("{},{},2024-03-{:02}T{:02}:00:00Z,\"{} #t{} $ETH{}\",{},{},{},{}\n", late && i % 3 == 0 ? "1.2E+18" : std::to_string(i),
                               late ? "u" : std::string(40, 'a'), 1 + i % 28, i % 24, late ? "short" : std::string(150, 'x'), i % 9,
                               late ? "" : " and more", late ? "" : std::to_string(i), late ? "" : "\"[btc, eth]\"", late ? "" : "en",
                               i % 2 == 0 ? "calm" : ""));
  }
  std::string csv = header;
  for (const std::string& row : rows) csv += row;
  ASSERT_GT(csv.size(), 3u << 20) << "several pieces";
  PostFileOptions one_thread;
  one_thread.threads = 1;
  std::vector<core::Post> sunk;
  const auto file = parse_post_file(csv, one_thread, kNow, [&](const PostBatch& batch) -> core::Status {
    sunk.insert(sunk.end(), batch.posts.begin(), batch.posts.end());
    for (core::Post& post : batch.posts) {  // what a sink may leave behind: the next piece's posts must not show it
      post = core::Post{"reddit", "9", kNow, "them", "old text", "old clean", "de", 1, 2, 3, 4, "h", "c", true, "8", "BTC", 0.5, "{}", kNow};
    }
    return {};
  });
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_EQ(sunk.size(), rows.size());
  for (size_t i = 0; i < rows.size(); i += 7) {  // each compared with the same row read alone
    const auto alone = parse_post_file(header + rows[i], one_thread, kNow);
    ASSERT_TRUE(alone && alone->posts.size() == 1) << i;
    ASSERT_EQ(fields_of(sunk[i]), fields_of(alone->posts[0])) << "row " << i;
  }
  EXPECT_EQ(sunk.back().hashtags, fmt::format("t{}", 23'999 % 9));  // from the text once the column is empty
  EXPECT_EQ(sunk.back().lang, "");
  EXPECT_EQ(sunk.back().extra, R"({"mood":""})");
}

TEST(PostFiles, BytesThatAreNotUtf8RejectTheirRowInAnyPiece) {
  std::string csv = big_csv(40'000);
  const size_t bad = csv.find("post 30000 ");
  ASSERT_NE(bad, std::string::npos);
  csv[bad + 1] = '\xff';  // in a later piece than the header's
  const auto file = parse_post_file(csv, {}, kNow);
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_EQ(file->rejected.size(), 1u);
  EXPECT_EQ(file->rejected[0].index, 30'001u);
  EXPECT_EQ(file->rejected[0].reason, "text is not valid UTF-8");
  EXPECT_EQ(file->posts.size(), 39'999u);
  // Other columns go into `extra` as JSON strings, where a byte that is not UTF-8 is replaced:
  // the row stays.
  const std::string named = "id,author,created_at,text,likes,m\xe9t\xe9o\n1,a,2024-03-01T10:00:00Z,hello,1,x\n";
  const auto kept = parse_post_file(named, {}, kNow);
  ASSERT_TRUE(kept) << kept.error().message;
  ASSERT_EQ(kept->posts.size(), 1u);
  EXPECT_EQ(kept->posts[0].extra, "{\"m\xEF\xBF\xBDt\xEF\xBF\xBDo\":\"x\"}");
}

// RFC 4180 read one character at a time, as the scanner's rules say, to check the scanner's
// word-at-a-time search against: a quoted field ("" for a quote) may be followed by more text,
// a quote inside an unquoted field is a character, LF, CRLF and CR end records, and a lone empty
// unquoted field on a line is a blank line.
std::vector<std::vector<std::string>> records_one_char_at_a_time(std::string_view text, char delimiter) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  std::string field;
  bool quoted_once = false;  // the record's last field was quoted (so "" is a field, not a blank line)
  size_t i = 0;
  const auto end_field = [&] { fields.push_back(std::exchange(field, {})); };
  const auto end_record = [&] {
    if (!(fields.size() == 1 && fields[0].empty() && !quoted_once)) records.push_back(fields);
    fields.clear();
  };
  while (i < text.size()) {
    quoted_once = false;
    if (text[i] == '"') {
      quoted_once = true;
      for (++i; i < text.size(); ++i) {
        if (text[i] != '"') field += text[i];
        else if (i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
        else break;
      }
      if (i < text.size()) ++i;  // the closing quote
    }
    while (i < text.size() && text[i] != delimiter && text[i] != '\n' && text[i] != '\r') field += text[i++];
    end_field();
    if (i == text.size()) break;
    if (text[i] == delimiter) {
      if (++i == text.size()) end_field();
      continue;
    }
    i += text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n' ? 2 : 1;
    quoted_once = false;  // a quoted "" alone on its line is a blank line too, as the scanner reads it
    end_record();
  }
  if (!fields.empty()) {
    records.push_back(fields);
  }
  return records;
}

TEST(Csv, TheWordAtATimeSearchFindsWhatACharacterAtATimeReadFinds) {
  std::mt19937_64 random(11);
  const auto next = [&](uint64_t below) { return random() % below; };
  const std::string plain = "abcxyz 0123456789-:.#$\xc3\xa9";
  for (const char delimiter : {',', ';', '\t'}) {
    for (int round = 0; round < 300; ++round) {
      std::string text;
      for (uint64_t row = 0, rows = next(12); row < rows; ++row) {
        for (uint64_t f = 0, count = 1 + next(6); f < count; ++f) {
          if (f > 0) text += delimiter;
          std::string cell;
          for (uint64_t c = 0, length = next(3) == 0 ? next(40) : next(9); c < length; ++c) cell += plain[next(plain.size())];
          const uint64_t kind = next(6);
          if (kind == 0) {  // quoted, holding what ends fields and records
            text += '"' + cell + delimiter + "\n\"\"\r\n" + cell + '"';
            if (next(4) == 0) text += "tail";
          } else if (kind == 1 && !cell.empty()) {
            text += cell.substr(0, 1) + '"' + cell.substr(1);  // a stray quote inside
          } else {
            text += cell;
          }
        }
        text += std::array<const char*, 4>{"\n", "\r\n", "\r", "\n\n"}[next(4)];
      }
      if (next(3) == 0 && !text.empty()) text.pop_back();  // no line end at the very end
      ASSERT_EQ(records_of(text, delimiter), records_one_char_at_a_time(text, delimiter)) << round << ": " << text;
    }
  }
}

TEST(PostFiles, AHeaderThatFitsOnlyTheEarlyRowsIsRefusedNamingTheFirstRowThatDoesNot) {
  std::string csv = "id,author,created_at,text,likes\n";
  for (int i = 0; i < 10'000; ++i) csv += fmt::format("{},u,2024-03-01T10:00:00Z,\"post {} {}\",1\n", i, i, std::string(100, 'x'));
  for (int i = 0; i < 12'000; ++i) csv += fmt::format("{},u,2024-03-01T10:00:00Z,\"post {}\",1,extra\n", i, i);
  ASSERT_GT(csv.find(",extra"), 1u << 20) << "the first bad row is in a later piece";
  const auto refused = parse_post_file(csv, {}, kNow);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("the header has 5 columns but 12000 of 22000 rows have 6 (first at row 10001)"), std::string::npos)
      << refused.error().message;
}

TEST(PostFiles, AValueDeepInTheFileDecidesTheDayOrderOfEveryPiece) {
  // Every date reads both ways but one, in a later piece, which proves the column day-first.
  const auto csv_with = [](std::string_view proof) {
    std::string csv = "id,text,created_at\n";
    for (int i = 0; i < 30'000; ++i) {
      csv += fmt::format("{},post {} {},{}\n", i + 1, i, std::string(60, 'x'), i == 25'000 ? proof : "03/04/2021 10:00");
    }
    return csv;
  };
  const std::string csv = csv_with("25/04/2021 10:00");
  ASSERT_GT(csv.find("25/04/2021"), 1u << 20) << "the proof is beyond the first piece";
  const auto file = parse_post_file(csv, {}, kNow);
  ASSERT_TRUE(file) << file.error().message;
  ASSERT_EQ(file->posts.size(), 30'000u);
  EXPECT_EQ(file->posts.front().created_at, *Timestamp::parse_iso("2021-04-03T10:00:00Z"));
  EXPECT_EQ(file->posts[25'000].created_at, *Timestamp::parse_iso("2021-04-25T10:00:00Z"));
  EXPECT_EQ(file->date_reading, "day-first (e.g. '25/04/2021 10:00')");
  // A month-first proof there instead and a day-first one elsewhere: the column cannot be read.
  std::string mixed = csv_with("04/25/2021 10:00");
  mixed.replace(mixed.find("03/04/2021 10:00"), 16, "26/04/2021 10:00");
  const auto refused = parse_post_file(mixed, {}, kNow);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("mixes day-first dates ('26/04/2021 10:00') and month-first dates ('04/25/2021 10:00')"),
            std::string::npos) << refused.error().message;
}

TEST(Csv, CutsOnManyThreadsAreTheCutsOfOne) {
  const std::string csv = big_csv(3'000, "\"");  // quoted newlines, and a stray quote that fools the parity
  for (const size_t target : {size_t{1}, size_t{7}, size_t{100}, size_t{4096}, csv.size() - 1, csv.size(), csv.size() + 1}) {
    const std::vector<size_t> one = record_cuts(csv, target, 1);
    EXPECT_EQ(record_cuts(csv, target, 3), one) << target;
    for (size_t p = 1; p + 1 < one.size(); ++p) {
      ASSERT_LT(one[p - 1], one[p]);
      ASSERT_EQ(csv[one[p] - 1], '\n') << "a cut follows a newline";
    }
  }
}

}  // namespace
}  // namespace cryptolake::sources::social
