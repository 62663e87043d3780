// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "reports/template_engine.hpp"
#include "reports/report_view.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include <ctemplate/template_emitter.h>
#include <ctemplate/template_modifiers.h>
#include <fmt/format.h>

namespace perfcheck::reports {

namespace {

// {{NAME:x-markdown}}: CommonMark lets any ASCII punctuation be backslash-escaped; these are
// the characters that start inline markup (emphasis, code, links, tables, strike-through,
// math on GitHub). '&', '<', '>' and quotes are left to the HTML escaping that follows.
class markdown_modifier : public ctemplate::TemplateModifier {
 public:
  void Modify(const char* in, size_t size, const ctemplate::PerExpandData*,
              ctemplate::ExpandEmitter* out, const std::string&) const override {
    for (size_t i = 0; i < size; ++i) {
      const char c = in[i];
      switch (c) {
        case '\\':
        case '`':
        case '*':
        case '_':
        case '[':
        case ']':
        case '|':
        case '~':
        case '$':
        case '!':
        case '#':
          out->Emit('\\');
          out->Emit(c);
          break;
        case '\n':
        case '\r':
        case '\t':
          out->Emit(' ');
          break;
        default:
          out->Emit(c);
      }
    }
  }
};

// {{NAME:x-gp}}: a whitelist, not escaping: gnuplot double-quoted strings run backticks as
// commands, so nothing outside plain characters may reach a script. '^' is plain: the charts
// set noenhanced text, and in an expression it is only exclusive or ("O(n^2)" in a key).
class gnuplot_modifier : public ctemplate::TemplateModifier {
 public:
  void Modify(const char* in, size_t size, const ctemplate::PerExpandData*,
              ctemplate::ExpandEmitter* out, const std::string&) const override {
    for (size_t i = 0; i < size; ++i) out->Emit(allowed(in[i]) ? in[i] : '_');
  }
  static bool allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view(" ._:/%()+,-^").find(c) != std::string_view::npos;
  }
};

const markdown_modifier markdown;
const gnuplot_modifier gnuplot;

// Registers the modifiers and loads every template into ctemplate's cache, once.
void load_templates() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    ctemplate::AddModifier("x-markdown", &markdown);
    ctemplate::AddModifier("x-gp", &gnuplot);
    for (const auto& t : detail::embedded_templates()) {
      if (!ctemplate::StringToTemplateCache(std::string(t.name), std::string(t.text),
                                            ctemplate::DO_NOT_STRIP)) {
        failure += fmt::format("{}{} does not parse", failure.empty() ? "" : "; ", t.name);
      }
    }
  });
  if (!failure.empty()) {
    throw std::runtime_error(
        fmt::format("report templates: {} (fix the file in templates/)", failure));
  }
}

}  // namespace

void expand_template(const std::string& name, const ctemplate::TemplateDictionary& dict,
                     std::string& out) {
  load_templates();
  if (!ctemplate::ExpandTemplate(name, ctemplate::DO_NOT_STRIP, &dict, &out)) {
    throw std::runtime_error(fmt::format("report template {} could not be expanded", name));
  }
}

std::vector<std::string> template_names() {
  std::vector<std::string> names;
  for (const auto& t : detail::embedded_templates()) names.emplace_back(t.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::string_view template_source(std::string_view name) {
  for (const auto& t : detail::embedded_templates()) {
    if (t.name == name) return t.text;
  }
  throw std::runtime_error(fmt::format("no report template named {}", name));
}

std::string markdown_text(std::string_view text) {
  std::string out;
  ctemplate::StringEmitter emitter(&out);
  markdown.Modify(text.data(), text.size(), nullptr, &emitter, "");
  return out;
}

std::string gnuplot_safe(std::string_view text) {
  std::string out;
  ctemplate::StringEmitter emitter(&out);
  gnuplot.Modify(text.data(), text.size(), nullptr, &emitter, "");
  return out;
}

void set_level_heads(ctemplate::TemplateDictionary& table, const test_row& row) {
  table.SetValue("RUNS_HEAD", row.level_runs_head);
  table.SetValue("METRIC_HEAD", row.level_metric_head);
  for (const auto& column : row.level_reported) {
    auto* head = table.AddSectionDictionary("COLUMN");
    head->SetValue("NAME", column.name);
    if (!column.what.empty()) head->SetValueAndShowSection("TEXT", column.what, "WHAT");
  }
}

}  // namespace perfcheck::reports
