// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Shorter SVG path data for gnuplot's lines and polygons: relative commands on a 0.1 px grid.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace perfcheck::reports::detail {

/// `d` (path data of only M, L and Z commands with absolute coordinates, as gnuplot writes
/// them) with every vertex rounded to 0.1 px and written relative to the one before ("l", or
/// "h"/"v" for a horizontal/vertical step), the first of each subpath after the first as
/// "m". Rounding happens on the absolute coordinates, so errors never add up. nullopt for any
/// other command, a number with an exponent or a command without its coordinates.
std::optional<std::string> relative_path(std::string_view d);

/// The path data of polygon `points` ("x,y x,y ..."): "M" to the first vertex, relative steps
/// as relative_path writes them, "z". nullopt for an odd count of numbers or fewer than two
/// vertices.
std::optional<std::string> polygon_path(std::string_view points);

}  // namespace perfcheck::reports::detail
