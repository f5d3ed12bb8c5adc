#include "query/result_format.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/json_text.hpp"

namespace cryptolake::query {

namespace {

// Terminal columns of one code point: 0 for combining marks and joiners, 2 for East Asian wide
// characters and emoji, 1 otherwise.
int code_point_width(char32_t c) {
  if ((c >= 0x300 && c <= 0x36F) || c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F)) return 0;
  if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
      (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
      (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1FAFF) || (c >= 0x20000 && c <= 0x3FFFD)) {
    return 2;
  }
  return 1;
}

// Display width of UTF-8 text in terminal columns.
size_t display_width(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t c = n == 1 ? lead : lead & (0x7F >> n);
    for (size_t k = 1; k < n && i + k < s.size(); ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    width += static_cast<size_t>(code_point_width(c));
    i += n;
  }
  return width;
}

std::string cell_text(const std::optional<std::string>& cell) { return cell ? *cell : "NULL"; }

std::string pad(const std::string& text, size_t width, bool right) {
  const size_t w = display_width(text);
  const std::string fill(width > w ? width - w : 0, ' ');
  return right ? fill + text : text + fill;
}

}  // namespace

std::string format_table(const ResultTable& result, size_t max_rows) {
  constexpr size_t kMaxCell = 60;
  const size_t shown = std::min(result.rows.size(), max_rows);
  std::vector<std::vector<std::string>> cells(shown);
  std::vector<size_t> widths;
  for (const std::string& c : result.columns) widths.push_back(display_width(c));
  for (size_t r = 0; r < shown; ++r) {
    for (size_t c = 0; c < result.columns.size(); ++c) {
      std::string text = cell_text(result.rows[r][c]);
      std::ranges::replace(text, '\n', ' ');
      if (display_width(text) > kMaxCell) {
        size_t cut = 0, seen = 0;
        while (cut < text.size() && seen < kMaxCell - 1) {
          ++cut;
          while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) ++cut;
          ++seen;
        }
        text = text.substr(0, cut) + "…";
      }
      widths[c] = std::max(widths[c], display_width(text));
      cells[r].push_back(std::move(text));
    }
  }
  const auto rule = [&](std::string_view left, std::string_view mid, std::string_view right) {
    std::string line(left);
    for (size_t c = 0; c < widths.size(); ++c) {
      for (size_t i = 0; i < widths[c] + 2; ++i) line += "─";
      line += c + 1 < widths.size() ? mid : right;
    }
    return line + "\n";
  };
  std::string out = rule("┌", "┬", "┐");
  out += "│";
  for (size_t c = 0; c < widths.size(); ++c) out += " " + pad(result.columns[c], widths[c], false) + " │";
  out += "\n" + rule("├", "┼", "┤");
  for (size_t r = 0; r < shown; ++r) {
    out += "│";
    for (size_t c = 0; c < widths.size(); ++c) out += " " + pad(cells[r][c], widths[c], result.numeric[c]) + " │";
    out += "\n";
  }
  out += rule("└", "┴", "┘");
  if (shown < result.rows.size()) {
    out += fmt::format("{} rows ({} shown; use --format csv for all)\n", result.rows.size(), shown);
  } else {
    out += fmt::format("{} row{}\n", result.rows.size(), result.rows.size() == 1 ? "" : "s");
  }
  return out;
}

std::string format_csv(const ResultTable& result) {
  const auto field = [](std::string_view s) {
    if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
    std::string quoted = "\"";
    for (const char c : s) {
      if (c == '"') quoted += '"';
      quoted += c;
    }
    return quoted + "\"";
  };
  std::string out;
  for (size_t c = 0; c < result.columns.size(); ++c) out += (c ? "," : "") + field(result.columns[c]);
  out += "\n";
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + (row[c] ? field(*row[c]) : std::string());
    out += "\n";
  }
  return out;
}

std::string format_json(const ResultTable& result) {
  // Each row repeats the keys: quoted once here, not once per cell.
  std::vector<std::string> keys;
  for (size_t c = 0; c < result.columns.size(); ++c) {
    std::string& key = keys.emplace_back(c ? ", " : "");
    core::append_json_string(key, result.columns[c]);
    key += ": ";
  }
  std::string out = "[";
  for (size_t r = 0; r < result.rows.size(); ++r) {
    out += r ? ",\n {" : "\n {";
    for (size_t c = 0; c < result.columns.size(); ++c) {
      out += keys[c];
      const auto& cell = result.rows[r][c];
      if (!cell) out += "null";
      else if (result.numeric[c] && *cell != "nan" && *cell != "inf" && *cell != "-inf") out += *cell;
      else core::append_json_string(out, *cell);
    }
    out += "}";
  }
  return out + (result.rows.empty() ? "]\n" : "\n]\n");
}

std::string format_result(const ResultTable& result, OutputFormat format) {
  switch (format) {
    case OutputFormat::csv: return format_csv(result);
    case OutputFormat::json: return format_json(result);
    case OutputFormat::table: break;
  }
  return format_table(result);
}

}  // namespace cryptolake::query
