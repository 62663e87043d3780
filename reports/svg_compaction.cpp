// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A second pass over sanitize_svg's output, which is regular: every attribute quoted, no
// comments, declarations or processing instructions. gnuplot's fixed part of a chart (axes,
// tics, definitions) is most of its bytes: a group per tic, often empty, the same attributes
// on every group, 15 marker definitions of which a chart uses one or none, and coordinates
// with two decimals and trailing zeros.
#include "reports/svg_compaction.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "reports/svg_paths.hpp"

namespace perfcheck::reports {

namespace {

constexpr std::string_view spaces = " \t\r\n\f";

bool blank(std::string_view s) { return s.find_first_not_of(spaces) == std::string_view::npos; }

bool digit(char c) { return c >= '0' && c <= '9'; }

bool word_char(char c) {
  return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '#';
}

// Each id that `text` references: "#id" at the start of a quoted value, or "url(#id)".
void collect_refs(std::string_view text, std::set<std::string, std::less<>>& refs) {
  for (std::size_t pos = text.find('#'); pos != std::string_view::npos;
       pos = text.find('#', pos + 1)) {
    const bool quoted = pos > 0 && (text[pos - 1] == '\'' || text[pos - 1] == '"');
    const bool url = pos >= 4 && text.substr(pos - 4, 4) == "url(";
    if (!quoted && !url) continue;
    std::size_t end = pos + 1;
    while (end < text.size() && text[end] != '\'' && text[end] != '"' && text[end] != ')') ++end;
    refs.emplace(text.substr(pos + 1, end - pos - 1));
  }
}

// The value of attribute `name` in a start tag's text, or "" without one.
std::string_view attribute(std::string_view tag, std::string_view name) {
  for (const char quote : {'\'', '"'}) {
    const std::string key = fmt::format(" {}={}", name, quote);
    const std::size_t at = tag.find(key);
    if (at == std::string_view::npos) continue;
    const std::size_t from = at + key.size();
    const std::size_t end = tag.find(quote, from);
    if (end != std::string_view::npos) return tag.substr(from, end - from);
  }
  return {};
}

// A direct child of <defs>: where its text is and its id.
struct definition {
  std::size_t begin = 0, end = 0;
  std::string id;
};

// The direct children of the <defs> element whose content is svg[from, to).
std::vector<definition> definitions_in(std::string_view svg, std::size_t from, std::size_t to) {
  std::vector<definition> out;
  int depth = 0;
  for (std::size_t lt = svg.find('<', from); lt < to; lt = svg.find('<', lt + 1)) {
    const std::size_t gt = svg.find('>', lt);
    if (gt == std::string_view::npos || gt > to) break;
    const std::string_view tag = svg.substr(lt, gt + 1 - lt);
    if (tag.starts_with("</")) {
      if (--depth == 0) out.back().end = gt + 1;
      continue;
    }
    if (depth == 0) out.push_back({lt, gt + 1, std::string(attribute(tag, "id"))});
    if (!tag.ends_with("/>")) ++depth;
  }
  return out;
}

// The definitions that nothing outside them references, directly or through other kept
// definitions: where each begins, mapped to where it ends.
std::map<std::size_t, std::size_t> unused_definitions(std::string_view svg) {
  std::map<std::size_t, std::size_t> unused;
  const std::size_t open = svg.find("<defs>");
  const std::size_t close = svg.find("</defs>");
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return unused;
  const auto defs = definitions_in(svg, open + 6, close);
  std::set<std::string, std::less<>> refs;
  collect_refs(svg.substr(0, open), refs);
  collect_refs(svg.substr(close), refs);
  std::set<std::size_t> kept;
  for (bool grew = true; grew;) {  // a marker may be a <use> of another one
    grew = false;
    for (const auto& d : defs) {
      if (kept.contains(d.begin) || (!d.id.empty() && !refs.contains(d.id))) continue;
      kept.insert(d.begin);
      collect_refs(svg.substr(d.begin, d.end - d.begin), refs);
      grew = true;
    }
  }
  for (const auto& d : defs) {
    if (!kept.contains(d.begin)) unused[d.begin] = d.end;
  }
  return unused;
}

// `value` with trailing fraction zeros dropped from each number, and, when `round`, each
// number with more than one decimal rounded to one.
std::string lean_numbers(std::string_view value, bool round) {
  std::string out;
  out.reserve(value.size());
  std::size_t i = 0;
  while (i < value.size()) {
    // In path data a number may follow its command letter ("M68.40").
    const bool starts =
        digit(value[i]) &&
        (i == 0 || (round ? !digit(value[i - 1]) && value[i - 1] != '.' && value[i - 1] != '#'
                          : !word_char(value[i - 1])));
    if (!starts) {
      out += value[i++];
      continue;
    }
    std::size_t end = i;
    while (end < value.size() && digit(value[end])) ++end;
    const std::size_t dot = end;
    if (end < value.size() && value[end] == '.') {
      ++end;
      while (end < value.size() && digit(value[end])) ++end;
    }
    std::string number(value.substr(i, end - i));
    const bool exponent = end < value.size() && (value[end] == 'e' || value[end] == 'E');
    if (dot < end && !exponent) {
      double x = 0;
      if (round && end - dot > 2 &&
          std::from_chars(number.data(), number.data() + number.size(), x).ec == std::errc())
        number = fmt::format("{:.1f}", x);
      while (number.ends_with('0')) number.pop_back();
      if (number.ends_with('.')) number.pop_back();
      if (number.empty()) number.push_back('0');
    }
    out += number;
    i = end;
  }
  return out;
}

// One space between the items of a coordinate list, none at its ends.
std::string single_spaced(std::string_view value) {
  std::string out;
  for (const char c : value) {
    const bool space = spaces.find(c) != std::string_view::npos;
    if (!space)
      out += c;
    else if (!out.empty() && out.back() != ' ')
      out += ' ';
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The inherited presentation attributes gnuplot repeats on every group, and their initial
// values ("" when unknown: the page's own may apply).
constexpr std::array<std::string_view, 9> inherited_names = {
    " fill",         " color",          " stroke",
    " stroke-width", " stroke-linecap", " stroke-linejoin",
    " font-family",  " font-size",      " text-anchor"};
using inherited_values = std::array<std::string, inherited_names.size()>;
const inherited_values initial_values = {"", "", "", "1", "butt", "miter", "", "", "start"};

// The presentation attribute runs that gnuplot repeats on thousands of elements of a report,
// as they read after lean_attributes, and the class of the page's style sheet
// (templates/report_head.html.tpl) that sets the same properties. A class rule outranks
// presentation attributes and inherits the same way, so the element draws the same.
struct attribute_class {
  std::string_view run;
  std::string_view with;
};
constexpr std::array<attribute_class, 11> attribute_classes = {{
    {R"x( fill="none" color="black" stroke="currentColor")x", R"x( class="ga")x"},
    {R"x( fill="none" color="gray" stroke="currentColor")x", R"x( class="gg")x"},
    {R"x( stroke="none" fill="rgb(51,51,51)" font-family="sans" font-size="10" text-anchor="end")x",
     R"x( class="te")x"},
    {R"x( stroke="none" fill="rgb(51,51,51)" font-family="sans" font-size="10" text-anchor="middle")x",
     R"x( class="tm")x"},
    {R"x( stroke="none" fill="rgb(51,51,51)" font-family="sans" font-size="9" text-anchor="end")x",
     R"x( class="t9")x"},
    {R"x( stroke='rgb(230, 230, 230)' stroke-dasharray='2,4' class="gridline")x",
     R"x( class="gridline")x"},
    {R"x( stroke='rgb(102, 102, 102)')x", R"x( class="sa")x"},
    {R"x( stroke='rgb( 31,  78, 140)')x", R"x( class="sb")x"},
    {R"x( color='rgb( 31,  78, 140)')x", R"x( class="cb")x"},
    {R"x( color='rgb(138, 138, 138)')x", R"x( class="cg")x"},
    {R"x( stroke='none' shape-rendering='crispEdges')x", R"x( class="sc")x"},
}};

// `attrs` with the first run of attribute_classes it holds replaced by its class, unless the
// element has a class of its own outside the run.
std::string with_class(std::string attrs) {
  for (const auto& [run, with] : attribute_classes) {
    const std::size_t at = attrs.find(run);
    if (at == std::string::npos) continue;
    std::string rest = attrs.substr(0, at) + attrs.substr(at + run.size());
    if (rest.find(" class=") != std::string::npos) return attrs;
    return attrs.replace(at, run.size(), with);
  }
  return attrs;
}

// The root's attributes without the SVG and XLink namespace declarations, which an SVG inline
// in HTML does not need (the HTML parser puts <svg> and its children in the SVG namespace).
std::string without_namespaces(std::string attrs) {
  for (const std::string_view ns : {R"x( xmlns="http://www.w3.org/2000/svg")x",
                                    R"x( xmlns:xlink="http://www.w3.org/1999/xlink")x"}) {
    if (const std::size_t at = attrs.find(ns); at != std::string::npos) attrs.erase(at, ns.size());
  }
  return attrs;
}

// A start tag's attributes (the text after its name) with lean numbers and relative path data;
// an inherited attribute whose value is the one it inherits anyway is dropped when `dedupe`.
// `inherited` becomes the element's own values. With `polygon`, `points` becomes the `d` of a
// path when it can (then `polygon` stays true; else it becomes false).
std::string lean_attributes(std::string_view attrs, inherited_values& inherited, bool dedupe,
                            bool& polygon) {
  bool converted = false;
  std::string out;
  std::size_t i = 0;
  while (i < attrs.size()) {
    const std::size_t eq = attrs.find('=', i);
    if (eq == std::string_view::npos || eq + 1 >= attrs.size()) break;
    const char quote = attrs[eq + 1];
    const std::size_t end = attrs.find(quote, eq + 2);
    if (end == std::string_view::npos) break;
    const std::size_t space = attrs.find_last_of(spaces, eq);  // one space before each name
    if (space != std::string_view::npos) i = std::max(i, space);
    const std::string_view name = attrs.substr(i, eq - i);  // with its leading space
    const std::string_view value = attrs.substr(eq + 2, end - eq - 2);
    i = end + 1;
    const bool shape = name == " d" || name == " points";
    std::string lean(value);
    std::optional<std::string> path;
    if (name == " d") path = detail::relative_path(value);
    if (name == " points" && polygon) path = detail::polygon_path(value);
    if (path) {
      converted = converted || name == " points";
      out += fmt::format(" d={}{}{}", quote, *path, quote);
      continue;
    }
    if (shape || name == " transform")
      lean = single_spaced(lean_numbers(value, shape));
    else if (name != " id" && name != " href" && name != " class")
      lean = lean_numbers(value, false);
    const auto known = std::find(inherited_names.begin(), inherited_names.end(), name);
    if (known != inherited_names.end()) {
      std::string& current = inherited[static_cast<std::size_t>(known - inherited_names.begin())];
      if (dedupe && !current.empty() && current == lean) continue;
      current = lean;
    }
    out += fmt::format("{}={}{}{}", name, quote, lean, quote);
  }
  out.append(attrs.substr(i));
  polygon = converted;
  return with_class(std::move(out));
}

}  // namespace

namespace {

// The compacting pass: one call of `tag` per tag, `text` per text between tags.
class compactor {
 public:
  explicit compactor(std::string_view svg) : svg_(svg), unused_(unused_definitions(svg)) {
    out_.reserve(svg.size());
  }

  void text(std::string_view between) {
    if (in_text_ == 0 && blank(between)) return;
    out_ += between;
    mark_content();
  }

  // Handles the tag at svg[lt]; returns where the scan goes on (past a skipped definition).
  std::size_t tag(std::string_view tag, std::size_t lt) {
    const std::size_t next = lt + tag.size();
    if (tag.starts_with("</")) {
      end_tag(tag);
      return next;
    }
    if (!open_.empty() && open_.back().name == "defs") {
      if (const auto it = unused_.find(lt); it != unused_.end()) return it->second;
    }
    // gnuplot titles each plot's group with its internal name ("gnuplot_plot_2"), which would
    // be a tooltip over the plot that tells the reader nothing: dropped.
    if (tag == "<title>" && !open_.empty() && open_.back().plot) {
      const std::size_t end = svg_.find("</title>", lt);
      if (end != std::string_view::npos) return end + 8;
    }
    const bool self_closing = tag.ends_with("/>");
    std::size_t n = 1;
    while (n < tag.size() && spaces.find(tag[n]) == std::string_view::npos && tag[n] != '/' &&
           tag[n] != '>')
      ++n;
    const std::string name(tag.substr(1, n - 1));
    const std::size_t start = out_.size();
    // Inside <defs> nothing is deduplicated: a definition inherits from where it is used.
    const bool in_defs = name == "defs" || (!open_.empty() && open_.back().in_defs);
    inherited_values values = open_.empty() ? initial_values : open_.back().values;
    bool polygon = self_closing && name == "polygon";
    std::string attrs = lean_attributes(
        tag.substr(n, tag.size() - n - (self_closing ? 2 : 1)), values, !in_defs, polygon);
    if (name == "svg" && open_.empty()) attrs = without_namespaces(std::move(attrs));
    out_ += '<';
    out_ += polygon ? "path" : name;
    out_ += attrs;
    out_ += self_closing ? "/>" : ">";
    if (self_closing) {
      mark_content();
    } else {
      if (name == "text") ++in_text_;
      const bool plot = name == "g" && attribute(tag, "id").find("gnuplot_plot_") != std::string_view::npos;
      open_.push_back({name, start, droppable(name, tag), in_defs, std::move(values), true, plot});
    }
    return next;
  }

  std::string result() { return std::move(out_); }

 private:
  struct open_element {
    std::string name;
    std::size_t out_pos = 0;
    bool droppable = false;  // dropped when nothing is inside
    bool in_defs = false;
    inherited_values values;  // what its children inherit
    bool empty = true;
    bool plot = false;  // a group gnuplot opens per plot
  };

  // A group without an id (gnuplot opens one per tic, often empty) or the definitions.
  static bool droppable(std::string_view name, std::string_view tag) {
    return (name == "g" || name == "defs") && attribute(tag, "id").empty();
  }

  void mark_content() {
    if (!open_.empty()) open_.back().empty = false;
  }

  void end_tag(std::string_view tag) {
    if (open_.empty()) return;
    const open_element closed = std::move(open_.back());
    open_.pop_back();
    if (closed.name == "text") --in_text_;
    if (closed.droppable && closed.empty) {
      out_.resize(closed.out_pos);
      return;
    }
    out_ += tag;
    mark_content();
  }

  std::string_view svg_;
  std::map<std::size_t, std::size_t> unused_;
  std::string out_;
  std::vector<open_element> open_;
  int in_text_ = 0;
};

}  // namespace

std::string compact_svg(std::string_view svg) {
  compactor c(svg);
  std::size_t pos = 0;
  while (pos < svg.size()) {
    const std::size_t lt = svg.find('<', pos);
    c.text(svg.substr(pos, lt == std::string_view::npos ? std::string_view::npos : lt - pos));
    if (lt == std::string_view::npos) break;
    const std::size_t gt = svg.find('>', lt);
    if (gt == std::string_view::npos) break;
    pos = c.tag(svg.substr(lt, gt + 1 - lt), lt);
  }
  return c.result();
}

}  // namespace perfcheck::reports
