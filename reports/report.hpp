// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Writing a report: the model in, the chosen formats into a folder.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "reports/charts.hpp"
#include "reports/report_model.hpp"

namespace perfcheck::reports {

/// The files a report can have.
enum class report_format {
  html,      ///< index.html with charts
  markdown,  ///< summary.md
  junit,     ///< junit.xml
  json,      ///< report.json (perfcheck/report/v1)
};

/// Parses "html,md,junit,json" (also "markdown", "xml"); throws usage_error naming --format and
/// the allowed names for anything else, or for an empty list. Duplicates are dropped.
std::vector<report_format> parse_formats(std::string_view list);

/// What to write and where.
struct report_options {
  std::filesystem::path out_dir;  ///< created when missing
  std::vector<report_format> formats = {report_format::html, report_format::markdown,
                                        report_format::junit, report_format::json};
  std::string base_url;   ///< where index.html is published; links from summary.md
  chart_settings charts;  ///< gnuplot and parallelism
};

/// What write_reports did.
struct report_outcome {
  std::vector<std::filesystem::path> files;  ///< written, in format order
  std::size_t charts_planned = 0;
  std::size_t charts_drawn = 0;
  std::string chart_note;  ///< why charts are missing (gnuplot not found), or ""
};

/// Writes every format of `options` for `model` into options.out_dir, each file atomically
/// (temporary file, fsync, rename). Throws std::system_error naming the file on I/O errors.
report_outcome write_reports(const report_model& model, const report_options& options);

}  // namespace perfcheck::reports
