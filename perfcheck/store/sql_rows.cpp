// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/store/sql_rows.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace perfcheck::store::detail {

sql_row_writer::sql_row_writer(sql_connection& db, std::string table_and_columns, std::size_t columns,
                               std::string what, std::size_t chunk)
    : db_(db), head_(std::move(table_and_columns)), columns_(columns), what_(std::move(what)), chunk_(chunk) {}

void sql_row_writer::add(std::vector<sql_value> row) {
  if (row.size() != columns_) {
    throw std::logic_error(fmt::format("{}: a row of {} values, expected {}", what_, row.size(), columns_));
  }
  for (auto& value : row) pending_.push_back(std::move(value));
}

sql_statement& sql_row_writer::statement_for(std::size_t rows) {
  auto& slot = statements_[rows];
  if (slot) return *slot;
  std::string sql = fmt::format("INSERT INTO {} VALUES ", head_);
  int parameter = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ", (";
    for (std::size_t c = 0; c < columns_; ++c) sql += fmt::format("{}?{}", c == 0 ? "" : ", ", parameter++);
    sql += ")";
  }
  slot = std::make_unique<sql_statement>(db_, sql, what_);
  return *slot;
}

void sql_row_writer::flush() {
  const std::size_t rows = pending_.size() / columns_;
  for (std::size_t first = 0; first < rows; first += chunk_) {
    const std::size_t count = std::min(chunk_, rows - first);
    sql_statement& s = statement_for(count);
    int parameter = 1;
    for (std::size_t i = first * columns_; i < (first + count) * columns_; ++i) {
      std::visit([&](const auto& v) { s.bind(parameter++, v); }, pending_[i]);
    }
    s.run();
    s.reset();
  }
  pending_.clear();
}

}  // namespace perfcheck::store::detail
