// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The formats of a report: each is a report_writer (view in, bytes out) in its own file.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "reports/report_view.hpp"

namespace perfcheck::reports {

class chart_set;

/// One output format.
class report_writer {
 public:
  virtual ~report_writer() = default;
  /// The file name in the output folder: "index.html", "summary.md", ...
  virtual std::string file_name() const = 0;
  /// Writes the whole file for `view` to `out`.
  virtual void write(const report_view& view, std::ostream& out) const = 0;
};

/// index.html: self-contained page with the summary table and per-test charts from `charts`
/// (which must outlive the writer and belong to the same view).
std::unique_ptr<report_writer> make_html_writer(const chart_set& charts);

/// summary.md: verdict counts, one table of the tests that need a look, the unchanged ones
/// collapsed. With `base_url` (where index.html is published), names link into the HTML.
std::unique_ptr<report_writer> make_markdown_writer(std::string base_url);

/// junit.xml: one testcase per performance test, figures as properties.
std::unique_ptr<report_writer> make_junit_writer();

/// report.json: the summary as perfcheck/report/v1.
std::unique_ptr<report_writer> make_json_writer();

/// Schema tag of report.json.
inline constexpr const char* report_schema = "perfcheck/report/v1";

/// The link to a test's section of index.html published at `base_url` ("" without one):
/// "<base_url>/index.html#<anchor>"; a base_url ending in ".html" is taken as the page itself.
std::string test_link(const std::string& base_url, const test_row& row);

}  // namespace perfcheck::reports
