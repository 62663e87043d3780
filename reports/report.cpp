// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "reports/report.hpp"

#include <algorithm>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "perfcheck/model/atomic_file.hpp"
#include "perfcheck/model/error.hpp"
#include "reports/report_writer.hpp"

namespace perfcheck::reports {

namespace fs = std::filesystem;

std::vector<report_format> parse_formats(std::string_view list) {
  std::vector<report_format> out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const std::size_t comma = std::min(list.find(',', pos), list.size());
    std::string_view word = list.substr(pos, comma - pos);
    while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
    while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
    std::optional<report_format> f;
    if (word == "html")
      f = report_format::html;
    else if (word == "md" || word == "markdown")
      f = report_format::markdown;
    else if (word == "junit" || word == "xml")
      f = report_format::junit;
    else if (word == "json")
      f = report_format::json;
    if (!f) {
      throw usage_error(fmt::format(
          "--format {}: '{}' is not a report format; use a comma-separated list of html, md, "
          "junit, json (e.g. --format html,md)",
          list, word));
    }
    if (std::find(out.begin(), out.end(), *f) == out.end()) out.push_back(*f);
    pos = comma + 1;
  }
  return out;
}

report_outcome write_reports(const report_model& model, const report_options& options) {
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) throw std::system_error(ec, "create report folder " + options.out_dir.string());
  report_view view = make_view(model);
  view.out_dir = options.out_dir;
  report_outcome outcome;
  const auto write = [&](const report_writer& writer) {
    const fs::path path = options.out_dir / writer.file_name();
    atomic_file file(path);
    writer.write(view, file.stream());
    file.commit();
    outcome.files.push_back(path);
  };
  for (report_format f : options.formats) {
    switch (f) {
      case report_format::html: {
        const chart_set charts(view, options.charts);
        outcome.charts_planned = charts.planned();
        outcome.charts_drawn = charts.drawn();
        outcome.chart_note = charts.note();
        write(*make_html_writer(charts));
        break;
      }
      case report_format::markdown:
        write(*make_markdown_writer(options.base_url));
        break;
      case report_format::junit:
        write(*make_junit_writer());
        break;
      case report_format::json:
        write(*make_json_writer());
        break;
    }
  }
  return outcome;
}

}  // namespace perfcheck::reports
