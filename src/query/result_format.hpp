// Printing query results: a boxed table for people, CSV (RFC 4180) and JSON (array of objects)
// for programs.
#pragma once

#include <string>

#include "query/sql_session.hpp"

namespace cryptolake::query {

enum class OutputFormat { table, csv, json };

// max_rows: the table format shows at most this many rows and says how many it left out.
std::string format_table(const ResultTable& result, size_t max_rows = 40);
std::string format_csv(const ResultTable& result);
std::string format_json(const ResultTable& result);
std::string format_result(const ResultTable& result, OutputFormat format);

}  // namespace cryptolake::query
