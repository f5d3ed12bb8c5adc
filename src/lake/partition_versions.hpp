// A content version for each curated partition, recorded when the partition is published. A stage
// that reads a table compares versions with those it last read to find what changed, without
// reading the data again (incremental runs, query-partition fingerprints).
#pragma once

#include <map>
#include <string>

#include "lake/object_store.hpp"

namespace cryptolake::lake {

// Hash of the partition's published files (names and bytes), as 16 hex digits.
[[nodiscard]] core::Result<std::string> hash_partition(const ObjectStore& store, std::string_view table, std::string_view dt);

// Around a publish: forget the old version first, so that a run killed in between leaves no
// version standing for content it does not describe; record the new one after.
[[nodiscard]] core::Status forget_partition_version(ObjectStore& store, std::string_view table, std::string_view dt);
[[nodiscard]] core::Status record_partition_version(ObjectStore& store, std::string_view table, std::string_view dt);

// The partition's recorded version; when missing (a killed run), computed from the files and recorded.
[[nodiscard]] core::Result<std::string> partition_version(ObjectStore& store, std::string_view table, std::string_view dt);

// dt → version of every partition the table has now; a version that is missing (a killed run)
// is computed from the files and recorded.
[[nodiscard]] core::Result<std::map<std::string, std::string>> partition_versions(ObjectStore& store, std::string_view table);

// One fingerprint of the table's whole content: equal iff every partition's version is.
[[nodiscard]] core::Result<std::string> table_version(ObjectStore& store, std::string_view table);
// The same for a reader: a missing version is computed, not recorded.
[[nodiscard]] core::Result<std::string> read_table_version(const ObjectStore& store, std::string_view table);

}  // namespace cryptolake::lake
