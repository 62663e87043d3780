// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Text from files (test names, branches, session ids, reasons) on its way to a terminal.
#pragma once

#include <string>
#include <string_view>

namespace perfcheck::cli {

/// `text` with every control character written out, so that no name read from a file can move
/// the cursor, recolour or retitle the terminal, or forge a line: newline, tab and carriage
/// return become \n, \t, \r; other C0 controls, DEL and UTF-8 C1 controls (U+0080..U+009F, e.g.
/// the one-byte CSI) become \xHH or \u00HH. Everything else is kept byte for byte.
std::string terminal_safe(std::string_view text);

/// terminal_safe line by line: the newlines of a multi-line message are kept, every other
/// control character is written out. For messages whose lines perfcheck itself laid out.
std::string terminal_safe_lines(std::string_view text);

}  // namespace perfcheck::cli
