// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A failed test's profile in the reports (docs/profiles.md): its table and the links to its
// flame graphs, filled into the same template sections by the HTML and Markdown writers.
#pragma once

#include <filesystem>
#include <optional>

#include <ctemplate/template.h>

#include "perfcheck/model/result.hpp"
#include "reports/report_view.hpp"

namespace perfcheck::reports {

/// `profile` with every text made valid UTF-8 (the reports' rule for text from result files).
std::optional<profile_info> valid_profile(const std::optional<profile_info>& profile);

/// The link to a profile file from a report written into `report_dir`: relative to it when
/// both are absolute, else the path as recorded.
std::string profile_link(const std::string& file, const std::filesystem::path& report_dir);

/// Adds a PROFILE section for `row`'s current profile to `dict`: NAME, TOOL, FILE (LABEL, URL),
/// NOT_MEASURED (TEXT), WARNING (TEXT), TABLE with DIFF_HEAD (a differential table) and ROW
/// (FUNCTION, SHARE, and DIFF with BASELINE and GROWTH); nothing without a profile. The templates escape every value.
void fill_profile(ctemplate::TemplateDictionary& dict, const test_row& row, const std::filesystem::path& report_dir);

}  // namespace perfcheck::reports
