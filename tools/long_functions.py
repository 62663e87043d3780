#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""Lists functions longer than a line budget and files longer than a file budget.

Usage: tools/long_functions.py [--max-function 60] [--max-file 400] [PATH...]

PATH defaults to the product code (perfcheck/, reports/, cmake/). C and C++ function bodies
are found by matching braces outside comments and strings: a '{' whose header (the text since
the previous ';', '{' or '}') has a ')' and is not a class, struct, enum, namespace or
lambda/initializer inside another body starts a function. CMake functions run from
function(...) to endfunction(). The rst documentation block of a CMake module is not counted
in its file length. Exit code 1 when anything is over budget, so CI can run it.
"""
import argparse
import pathlib
import re
import sys

CONTAINER = re.compile(r'\b(namespace|class|struct|union|enum)\b|extern\s+"C"')


def strip(text):
    """Blanks comments and string/char literals, keeping newlines."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i)); i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif text.startswith('R"', i) and (i == 0 or not text[i - 1].isalnum()):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(')' + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            out.append(' ' * (min(j + 1, n) - i)); i = j + 1
        else:
            out.append(c); i += 1
    return ''.join(out)


def c_functions(text):
    """(name, first line, line count) of each top-level function body."""
    code = strip(text)
    stack, header_start, found = [], 0, []
    for i, c in enumerate(code):
        if c in ';':
            header_start = i + 1
        elif c == '{':
            header = code[header_start:i]
            in_body = any(kind == 'body' for kind, _, _ in stack)
            if CONTAINER.search(header) and '(' not in header.split('{')[-1].split(':')[0]:
                kind = 'container'
            elif not in_body and ')' in header:
                kind = 'body'
            else:
                kind = 'inner'
            first = code.count('\n', 0, header_start + len(header) - len(header.lstrip()))
            name = re.findall(r'([~\w:]+)\s*\(', header)
            stack.append((kind, first, name[0] if name else '?'))
            header_start = i + 1
        elif c == '}':
            if stack:
                kind, first, name = stack.pop()
                if kind == 'body':
                    found.append((name, first + 1, code.count('\n', 0, i) - first + 1))
            header_start = i + 1
    return found


def cmake_functions(text):
    found, start, name = [], None, None
    for no, line in enumerate(text.splitlines(), 1):
        m = re.match(r'\s*(function|macro)\s*\(\s*([\w]+)', line, re.I)
        if m:
            start, name = no, m.group(2)
        elif re.match(r'\s*end(function|macro)\s*\(', line, re.I) and start:
            found.append((name, start, no - start + 1))
            start = None
    return found


def file_length(path, text):
    lines = text.count('\n')
    if path.suffix == '.cmake':
        m = re.search(r'#\[(=*)\[\.rst:.*?\]\1\]', text, re.S)
        if m:
            lines -= m.group(0).count('\n') + 1
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--max-function', type=int, default=60)
    ap.add_argument('--max-file', type=int, default=400)
    ap.add_argument('paths', nargs='*', default=['perfcheck', 'reports', 'cmake'])
    args = ap.parse_args()
    files = []
    for p in map(pathlib.Path, args.paths):
        files += [p] if p.is_file() else sorted(q for q in p.rglob('*') if q.is_file())
    over = 0
    for path in files:
        if path.suffix not in ('.c', '.h', '.cpp', '.hpp', '.cmake') and path.name != 'CMakeLists.txt':
            continue
        text = path.read_text(errors='replace')
        length = file_length(path, text)
        if length > args.max_file:
            print(f'{path}: file has {length} lines (budget {args.max_file})')
            over += 1
        funcs = cmake_functions(text) if path.suffix == '.cmake' or path.name == 'CMakeLists.txt' else c_functions(text)
        for name, first, count in funcs:
            if count > args.max_function:
                print(f'{path}:{first}: {name} has {count} lines (budget {args.max_function})')
                over += 1
    print(f'{over} over budget')
    return 1 if over else 0


if __name__ == '__main__':
    sys.exit(main())
