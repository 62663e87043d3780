// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A small tag scanner, not an XML parser: gnuplot's SVG is regular, and whatever the scanner
// does not understand is dropped rather than passed through.
#include "reports/svg_sanitizer.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace perfcheck::reports {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Element names gnuplot writes: letters, digits, ':', '_' and '-'; anything else is dropped.
bool plain_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != ':' && c != '_' && c != '-')
      return false;
  }
  return true;
}

// Elements dropped with everything inside them.
bool dropped_element(std::string_view name) {
  static constexpr std::array<std::string_view, 8> names = {
      "script", "foreignobject", "iframe", "object", "embed", "style", "handler", "listener"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Position of `lower_pattern` in `text` at or after `from`, ignoring ASCII case, or npos.
std::size_t find_ci(std::string_view text, std::string_view lower_pattern, std::size_t from) {
  const auto same = [](char pattern, char c) {
    return static_cast<unsigned char>(pattern) == std::tolower(static_cast<unsigned char>(c));
  };
  for (std::size_t pos = text.find('<', from); pos != std::string_view::npos;
       pos = text.find('<', pos + 1)) {
    if (text.size() - pos < lower_pattern.size()) return std::string_view::npos;
    if (std::equal(lower_pattern.begin(), lower_pattern.end(),
                   text.begin() + static_cast<std::ptrdiff_t>(pos), same))
      return pos;
  }
  return std::string_view::npos;
}

// Position just past the end tag of `name` at or after `from`, or npos.
std::size_t skip_element(std::string_view svg, std::size_t from, std::string_view name) {
  const std::size_t pos = find_ci(svg, "</" + std::string(name), from);
  if (pos == std::string_view::npos) return pos;
  const std::size_t close = svg.find('>', pos);
  return close == std::string_view::npos ? close : close + 1;
}

std::string prefixed_refs(std::string_view value, std::string_view prefix) {
  // url(#x) anywhere in the value gets the prefix.
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t hit = value.find("url(#", pos);
    if (hit == std::string_view::npos) break;
    out.append(value.substr(pos, hit + 5 - pos));
    out.append(prefix);
    pos = hit + 5;
  }
  out.append(value.substr(pos));
  return out;
}

// Rewrites the attributes of one start tag; `attrs` is the text between the name and '>'.
std::string clean_attributes(std::string_view attrs, std::string_view prefix) {
  std::string out;
  std::size_t i = 0;
  while (i < attrs.size()) {
    while (i < attrs.size() && is_space(attrs[i])) ++i;
    if (i >= attrs.size()) break;
    if (attrs[i] == '/') {  // self-closing slash
      ++i;
      continue;
    }
    const std::size_t name_start = i;
    while (i < attrs.size() && !is_space(attrs[i]) && attrs[i] != '=' && attrs[i] != '/') ++i;
    const std::string_view written =
        attrs.substr(name_start, i - name_start);  // viewBox: case kept
    const std::string name = lower(written);
    std::string value;
    bool has_value = false;
    char quote = '"';
    while (i < attrs.size() && is_space(attrs[i])) ++i;
    if (i < attrs.size() && attrs[i] == '=') {
      ++i;
      while (i < attrs.size() && is_space(attrs[i])) ++i;
      if (i < attrs.size() && (attrs[i] == '"' || attrs[i] == '\'')) {
        quote = attrs[i];
        const std::size_t end = attrs.find(quote, i + 1);
        if (end == std::string_view::npos) break;  // malformed: drop the rest
        value = std::string(attrs.substr(i + 1, end - i - 1));
        i = end + 1;
      } else {
        const std::size_t start = i;
        while (i < attrs.size() && !is_space(attrs[i])) ++i;
        value = std::string(attrs.substr(start, i - start));
        if (value.find_first_of("\"'") != std::string::npos) continue;
      }
      has_value = true;
    }
    if (name.empty() || name.starts_with("on")) continue;
    if (name == "href" || name == "xlink:href" || name.ends_with(":href")) {
      if (!value.starts_with('#')) continue;
      value = fmt::format("#{}{}", prefix, std::string_view(value).substr(1));
    } else if (name == "id") {
      value = std::string(prefix) + value;
    } else {
      value = prefixed_refs(value, prefix);
    }
    out += ' ';
    if (name == "xlink:href")
      out += "href";  // SVG 2 href works inline without xlink
    else
      out += written;
    if (has_value) {
      out += '=';
      out += quote;
      out += value;
      out += quote;
    }
  }
  return out;
}

}  // namespace

std::string sanitize_svg(std::string_view svg, std::string_view id_prefix) {
  std::size_t pos = find_ci(svg, "<svg", 0);
  if (pos == std::string::npos) return "";
  std::string out;
  out.reserve(svg.size() + svg.size() / 20);
  int depth = 0;
  while (pos < svg.size()) {
    const std::size_t lt = svg.find('<', pos);
    if (lt == std::string_view::npos) {
      out.append(svg.substr(pos));
      break;
    }
    out.append(svg.substr(pos, lt - pos));
    if (svg.compare(lt, 4, "<!--") == 0) {
      const std::size_t end = svg.find("-->", lt + 4);
      pos = end == std::string_view::npos ? svg.size() : end + 3;
      continue;
    }
    if (svg.compare(lt, 2, "<!") == 0 || svg.compare(lt, 2, "<?") == 0) {
      const std::size_t end = svg.find('>', lt);
      pos = end == std::string_view::npos ? svg.size() : end + 1;
      continue;
    }
    const std::size_t gt = svg.find('>', lt);
    if (gt == std::string_view::npos) break;  // a truncated tag: dropped
    std::string_view tag = svg.substr(lt + 1, gt - lt - 1);
    pos = gt + 1;
    if (tag.starts_with('/')) {
      std::size_t n = 1;
      while (n < tag.size() && !is_space(tag[n])) ++n;
      if (plain_name(tag.substr(1, n - 1))) out += "</" + std::string(tag.substr(1, n - 1)) + ">";
      --depth;
      if (depth <= 0) break;  // the end of the root element
      continue;
    }
    std::size_t n = 0;
    while (n < tag.size() && !is_space(tag[n]) && tag[n] != '/') ++n;
    const std::string_view element = tag.substr(0, n);  // linearGradient: case kept
    const std::string name = lower(element);
    const bool self_closing = tag.ends_with('/');
    if (!plain_name(element)) continue;
    if (dropped_element(name) || (depth == 1 && (name == "title" || name == "desc"))) {
      if (!self_closing) pos = skip_element(svg, pos, name);
      if (pos == std::string_view::npos) break;
      continue;
    }
    std::string_view attrs = tag.substr(n);
    if (self_closing) attrs.remove_suffix(1);
    out += '<';
    out += element;
    out += clean_attributes(attrs, id_prefix);
    out += self_closing ? "/>" : ">";
    if (!self_closing) ++depth;
  }
  return out;
}

std::string insert_before_svg_end(std::string svg, std::string_view overlay) {
  const std::size_t end = svg.rfind("</svg>");
  if (end != std::string::npos) svg.insert(end, overlay);
  return svg;
}

}  // namespace perfcheck::reports
