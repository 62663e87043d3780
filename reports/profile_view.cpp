// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A failed test's profile in the reports: valid text, links, the template sections.
#include "reports/profile_view.hpp"

#include <fmt/format.h>

#include "reports/history_adapter.hpp"

namespace perfcheck::reports {
namespace fs = std::filesystem;

std::optional<profile_info> valid_profile(const std::optional<profile_info>& profile) {
  if (!profile) return std::nullopt;
  profile_info p = *profile;
  p.tool = valid_utf8(p.tool);
  p.not_measured = valid_utf8(p.not_measured);
  p.level = valid_utf8(p.level);
  for (auto& f : p.files) f = valid_utf8(f);
  for (auto& w : p.warnings) w = valid_utf8(w);
  for (auto& r : p.rows) r.function = valid_utf8(r.function);
  return p;
}

std::string profile_link(const std::string& file, const fs::path& report_dir) {
  const fs::path path(file);
  if (!path.is_absolute() || report_dir.empty()) return file;
  std::error_code ec;
  const fs::path dir = fs::absolute(report_dir, ec);
  if (ec) return file;
  const fs::path relative = path.lexically_relative(dir);
  return relative.empty() ? file : relative.string();
}

void fill_profile(ctemplate::TemplateDictionary& dict, const test_row& row, const fs::path& report_dir) {
  if (!row.current || !row.current->profile) return;
  const profile_info& p = *row.current->profile;
  auto* section = dict.AddSectionDictionary("PROFILE");
  section->SetValue("NAME", row.name);
  const std::string tool = p.tool.empty() ? "none" : p.tool;
  section->SetValue("TOOL", p.level.empty() ? tool : fmt::format("{}, level {}", tool, p.level));
  for (const auto& file : p.files) {
    auto* link = section->AddSectionDictionary("FILE");
    link->SetValue("LABEL", fs::path(file).filename().string());
    link->SetValue("URL", profile_link(file, report_dir));
  }
  if (!p.not_measured.empty()) section->SetValueAndShowSection("TEXT", p.not_measured, "NOT_MEASURED");
  for (const auto& w : p.warnings) section->SetValueAndShowSection("TEXT", w, "WARNING");
  if (p.rows.empty()) return;
  auto* table = section->AddSectionDictionary("TABLE");
  const bool differential = p.baseline_samples > 0;
  if (differential) table->ShowSection("DIFF_HEAD");
  for (const auto& r : p.rows) {
    auto* line = table->AddSectionDictionary("ROW");
    line->SetValue("FUNCTION", r.function);
    line->SetValue("SHARE", fmt::format("{:.1f}%", 100 * r.candidate));
    if (differential) {
      auto* d = line->AddSectionDictionary("DIFF");
      d->SetValue("BASELINE", fmt::format("{:.1f}%", 100 * r.baseline));
      d->SetValue("GROWTH", fmt::format("{:+.1f} points", 100 * (r.candidate - r.baseline)));
    }
  }
}

}  // namespace perfcheck::reports
