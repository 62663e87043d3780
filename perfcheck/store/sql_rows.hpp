// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Rows of one table written many to a statement (INSERT ... VALUES (...), (...), ...): a result's
// samples are one statement instead of one per sample, which is what a server's round trips cost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "perfcheck/store/sql_handle.hpp"

namespace perfcheck::store::detail {

/// One value of a row: text, an integer or a real (NaN is stored as NULL).
using sql_value = std::variant<std::string, std::int64_t, double>;

/// Collects rows of `columns` and writes them in statements of up to `chunk` rows; a statement of
/// each row count is prepared once and kept, so a batch of same-shaped results prepares few.
class sql_row_writer {
 public:
  sql_row_writer(sql_connection& db, std::string table_and_columns, std::size_t columns, std::string what,
                 std::size_t chunk = 100);
  /// Adds a row of `columns` values.
  void add(std::vector<sql_value> row);
  /// Writes every row added since the last flush.
  void flush();

 private:
  sql_statement& statement_for(std::size_t rows);

  sql_connection& db_;
  std::string head_;
  std::size_t columns_;
  std::string what_;
  std::size_t chunk_;
  std::vector<sql_value> pending_;
  std::map<std::size_t, std::unique_ptr<sql_statement>> statements_;
};

}  // namespace perfcheck::store::detail
