#include "bus/bus_raw_sink.hpp"

#include <fmt/format.h>
#include <simdjson.h>

namespace cryptolake::bus {

std::string record_key(const core::Envelope& envelope) {
  thread_local simdjson::dom::parser parser;
  std::string_view symbol;
  simdjson::dom::object request;
  if (!parser.parse(envelope.request.data(), envelope.request.size()).get(request) && request["symbol"].get_string().get(symbol)) {
    symbol = {};  // no symbol: the key names source and dataset only
  }
  return fmt::format("{}/{}/{}", envelope.source, envelope.dataset, symbol);
}

std::optional<RecordKey> parse_record_key(std::string_view key) {
  const size_t slash = key.find('/');
  const size_t second = slash == std::string_view::npos ? slash : key.find('/', slash + 1);
  if (second == std::string_view::npos || slash == 0 || second == slash + 1) return std::nullopt;
  return RecordKey{std::string(key.substr(0, slash)), std::string(key.substr(slash + 1, second - slash - 1))};
}

core::Result<std::string> BusRawSink::land(std::span<const core::Envelope> envelopes) {
  std::lock_guard lock(mutex_);
  const core::Timestamp now = clock_.now();
  for (const core::Envelope& envelope : envelopes) {
    TRY(producer_.produce(topic_, record_key(envelope), core::envelope_line(envelope)));
    if (unflushed_++ == 0) oldest_unflushed_ = now;
    ++records_;
  }
  if (unflushed_ >= batch_ || now.micros() - oldest_unflushed_.micros() >= max_delay_) TRY(flush_locked());
  return topic_;
}

core::Result<std::string> BusRawSink::land_file(const io::RawFile& file) {
  return core::fail(core::ErrorCode::invalid_argument, "{}: bulk files go to the raw zone (cryptolake import), not the bus", file.name);
}

core::Status BusRawSink::flush() {
  std::lock_guard lock(mutex_);
  return flush_locked();
}

core::Status BusRawSink::flush_locked() {
  TRY(producer_.flush());
  unflushed_ = 0;
  return {};
}

}  // namespace cryptolake::bus
