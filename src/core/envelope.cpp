#include "core/envelope.hpp"

#include "core/json_text.hpp"

namespace cryptolake::core {

std::string envelope_line(const Envelope& e) {
  std::string line;
  line.reserve(e.payload.size() + e.request.size() + 128);
  line += "{\"received_at\":";
  append_json_string(line, e.received_at.iso());
  line += ",\"source\":";
  append_json_string(line, e.source);
  line += ",\"dataset\":";
  append_json_string(line, e.dataset);
  line += ",\"request\":";
  line += e.request.empty() ? "{}" : e.request;
  if (e.payload_is_json) {
    line += ",\"payload\":";
    line += e.payload;
  } else {
    line += ",\"payload_text\":";
    append_json_string(line, e.payload);
  }
  line += '}';
  return line;
}

}  // namespace cryptolake::core
