// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/cli/standard_output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ext/stdio_sync_filebuf.h>
#include <iostream>
#include <system_error>

#include "perfcheck/cli/commands.hpp"

namespace perfcheck::cli {
namespace {

// glibc discards a buffer whose write failed and keeps only the error flag, so errno is lost by
// the time main ends; this stream's write function keeps the first error itself. It returns
// the bytes written, 0 on error, never a negative value (fopencookie(3): glibc counts -1 as a
// byte written, and a later fwrite then copies one byte past its buffer).
int first_error = 0;
bool wrote = false;
std::FILE* original_stdout = nullptr;
std::streambuf* original_cout = nullptr;

ssize_t write_checked(void*, const char* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(STDOUT_FILENO, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      if (first_error == 0) first_error = errno;
      return static_cast<ssize_t>(done);
    }
    done += static_cast<std::size_t>(n);
    wrote = true;
  }
  return static_cast<ssize_t>(size);
}

// Flushes std::cout and stdout; whether anything written so far was lost, and the first write
// error (errno) when one is known.
struct flush_outcome {
  bool lost = false;
  int error = 0;
};
flush_outcome flush_checked() {
  std::cout.flush();
  const bool lost = std::fflush(stdout) != 0 || std::ferror(stdout) != 0 || std::cout.fail();
  return {lost || first_error != 0, first_error};
}

}  // namespace

void check_stdout() {
  const flush_outcome out = flush_checked();
  if (out.lost) {
    throw std::system_error(out.error != 0 ? out.error : EIO, std::generic_category(),
                            "write to standard output");
  }
}

void install_checked_stdout() {
  cookie_io_functions_t functions{};
  functions.write = write_checked;
  std::FILE* checked = ::fopencookie(nullptr, "w", functions);
  if (checked == nullptr) return;  // out of memory at start-up: stdout stays as it was
  // Line-buffered on a terminal, as stdout is, so that output shows while a long run goes on.
  std::setvbuf(checked, nullptr, ::isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
  std::fflush(stdout);
  original_stdout = stdout;
  stdout = checked;  // glibc's stdout is an ordinary variable, documented as assignable
  // Never destroyed: std::cout is flushed once more after every static object is gone
  // (ios_base::Init's destructor), and must not find a dead buffer then.
  static auto* cout_buffer = new __gnu_cxx::stdio_sync_filebuf<char>(checked);
  original_cout = std::cout.rdbuf(cout_buffer);
}

int finish_stdout(int code) {
  const auto [lost, first] = flush_checked();
  int error = first;
  if (original_stdout != nullptr) {
    // Back to the C library's own stdout and std::cout's own buffer before the checked stream
    // goes, so that nothing flushed at exit reaches a closed stream.
    std::cout.rdbuf(original_cout);
    std::FILE* checked = stdout;
    stdout = original_stdout;
    original_stdout = nullptr;
    std::fclose(checked);  // a cookie stream: flushes, and leaves descriptor 1 open
  }
  std::fflush(stdout);
  // Closing the descriptor reports what the file system could only say then (NFS, quotas);
  // without a write, a closed descriptor 1 (`perfcheck ... >&-`) is no loss. The FILE stays
  // open with nothing buffered: a flush at exit has nothing to write.
  if (::close(STDOUT_FILENO) != 0 && error == 0 && wrote) error = errno;
  if (error == 0 && !lost) return code;
  std::fprintf(stderr, "error: standard output: %s; what perfcheck printed there is incomplete\n",
               error != 0 ? std::generic_category().message(error).c_str() : "a write failed");
  return exit_internal;
}

}  // namespace perfcheck::cli
