// What a source received, with when, from where and for which request: the unit every source
// hands on (to the raw zone or the bus) before anyone parses it.
#pragma once

#include <string>

#include "core/timestamp.hpp"

namespace cryptolake::core {

struct Envelope {
  Timestamp received_at;
  std::string source;   // "binance", "simulator", …: lowercase, no '/'
  std::string dataset;  // "klines", "tweets", …
  std::string request;  // a JSON object describing the request (endpoint, parameters)
  std::string payload;  // the response body, exactly as received
  // A body that is not one line of valid JSON (pretty-printed, truncated, an HTML error page) is
  // kept byte for byte as a JSON string under "payload_text" instead, so the line stays NDJSON;
  // the transform parses it from there, or quarantines it.
  bool payload_is_json = true;
};

// One envelope as a single NDJSON line (without the newline), as the raw zone and the bus keep it:
// {"received_at":…,"source":…,"dataset":…,"request":{…},"payload":…} (or "payload_text":"…").
std::string envelope_line(const Envelope& envelope);

}  // namespace cryptolake::core
