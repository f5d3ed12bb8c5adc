#include "sources/rates/rates_parser.hpp"

#include <charconv>

#include "core/decimal.hpp"

namespace cryptolake::sources::rates {

using core::ErrorCode;
using core::fail;

std::optional<double> parse_grouped_decimal(std::string_view text) {
  std::string plain;
  for (const char c : text) {
    if (c != ',') plain += c;
  }
  return core::parse_decimal(plain);
}

namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string decode_html_entities(std::string_view text) {
  static const std::pair<std::string_view, uint32_t> kNamed[] = {
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0},
      {"pound", 0xA3}, {"euro", 0x20AC}, {"yen", 0xA5}, {"cent", 0xA2}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t semi = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    if (semi != std::string_view::npos && semi - i <= 10) {
      const std::string_view name = text.substr(i + 1, semi - i - 1);
      uint32_t cp = 0;
      bool known = false;
      if (name.starts_with("#x") || name.starts_with("#X")) {
        known = std::from_chars(name.data() + 2, name.data() + name.size(), cp, 16).ec == std::errc();
      } else if (name.starts_with("#")) {
        known = std::from_chars(name.data() + 1, name.data() + name.size(), cp).ec == std::errc();
      } else {
        for (const auto& [n, c] : kNamed) {
          if (n == name) {
            cp = c;
            known = true;
          }
        }
      }
      if (known && cp > 0 && cp <= 0x10FFFF) {
        append_utf8(out, cp);
        i = semi + 1;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

core::Status parse_bpi(simdjson::dom::element payload, core::Timestamp received_at, std::vector<core::Tick>& out,
                       std::vector<std::string>& rejected) {
  simdjson::dom::object bpi;
  if (payload["bpi"].get_object().get(bpi)) return fail(ErrorCode::corrupt_data, "BPI response without a bpi object");
  std::string_view updated;
  core::Timestamp ts = received_at;
  if (payload.at_pointer("/time/updatedISO").get_string().get(updated) == simdjson::SUCCESS) {
    if (auto parsed = core::Timestamp::parse_iso(updated)) ts = *parsed;
  }
  for (const auto field : bpi) {
    simdjson::dom::object entry;
    std::string_view rate;
    if (field.value.get_object().get(entry) || entry["rate"].get_string().get(rate)) {
      rejected.push_back(std::string(field.key) + ": no rate\t" + simdjson::minify(field.value));
      continue;
    }
    const auto value = parse_grouped_decimal(rate);
    auto symbol = core::Symbol::parse("BTC-" + std::string(field.key));
    if (!value || !symbol) {
      rejected.push_back(std::string(field.key) + ": rate '" + std::string(rate) + "' is not a number\t" + simdjson::minify(field.value));
      continue;
    }
    out.push_back({"bpi", *symbol, ts, *value, {}, {}, {}, {}, received_at});
  }
  return {};
}

core::Status parse_coinbase_rates(simdjson::dom::element payload, core::Timestamp received_at, std::vector<core::Tick>& out,
                                  std::vector<std::string>& rejected) {
  simdjson::dom::object rates;
  std::string_view base;
  if (payload.at_pointer("/data/rates").get_object().get(rates) || payload.at_pointer("/data/currency").get_string().get(base)) {
    return fail(ErrorCode::corrupt_data, "exchange-rates response without data.currency and data.rates");
  }
  for (const auto field : rates) {
    std::string_view text;
    std::optional<double> value;
    if (field.value.get_string().get(text) == simdjson::SUCCESS) value = core::parse_decimal(text);
    auto symbol = core::Symbol::parse(std::string(base) + "-" + std::string(field.key));
    if (!value || *value <= 0 || !symbol) {
      rejected.push_back(std::string(field.key) + ": not a positive rate\t" + simdjson::minify(field.value));
      continue;
    }
    out.push_back({"coinbase", *symbol, received_at, *value, {}, {}, {}, {}, received_at});
  }
  return {};
}

}  // namespace cryptolake::sources::rates
