// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/model/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <ctime>
#include <mutex>
#include <set>
#include <streambuf>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace perfcheck {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view temp_marker = ".perfcheck-";
constexpr std::string_view temp_suffix = ".tmp";

// The temp files the signal handlers remove: fixed storage, since a handler may not allocate.
// A slot is free (0), being filled (1) or holds a path (2).
// Constant-initialized (zeroed .bss): no start-up code touches its 256 KiB, so a process that
// writes no temp file pays no page fault for it.
struct temp_slot {
  std::atomic<int> state{0};
  char path[PATH_MAX] = {};
};
constinit std::array<temp_slot, 64> temp_slots{};

int register_temp(const fs::path& path) {
  const std::string& text = path.native();
  if (text.size() >= PATH_MAX) return -1;
  for (std::size_t i = 0; i < temp_slots.size(); ++i) {
    int expected = 0;
    if (!temp_slots[i].state.compare_exchange_strong(expected, 1)) continue;
    std::memcpy(temp_slots[i].path, text.c_str(), text.size() + 1);
    temp_slots[i].state.store(2);
    return static_cast<int>(i);
  }
  return -1;  // more temp files at once than slots: these are only swept later
}

extern "C" void remove_temps_and_die(int signal_number) {
  for (auto& slot : temp_slots) {
    if (slot.state.load() == 2) ::unlink(slot.path);
  }
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

std::system_error os_error(int error, std::string_view call, const fs::path& path) {
  return {error, std::generic_category(), fmt::format("{} {}", call, path.string())};
}

void write_all(int fd, const char* data, std::size_t size, const fs::path& target) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw os_error(errno, "write", target);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

bool is_mkstemp_suffix(std::string_view text) {
  return text.size() == 6 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

// Empty, or perfcheck JSON: what an earlier write_json_file_atomic left half-written.
bool holds_perfcheck_json(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  char head[512];
  const ssize_t n = ::read(fd, head, sizeof head);
  ::close(fd);
  return n == 0 || (n > 0 && std::string_view(head, static_cast<std::size_t>(n)).find("\"perfcheck/") !=
                                 std::string_view::npos);
}

// The pid of an earlier report writer's temp name `.<report file>.tmp<pid>`, or 0.
pid_t legacy_report_temp_owner(std::string_view name) {
  for (std::string_view file : {"index.html", "summary.md", "junit.xml", "report.json"}) {
    const std::string start = fmt::format(".{}.tmp", file);
    if (!name.starts_with(start) || name.size() == start.size()) continue;
    pid_t pid = 0;
    const char* end = name.data() + name.size();
    const auto [stop, ec] = std::from_chars(name.data() + start.size(), end, pid);
    return ec == std::errc{} && stop == end && pid > 0 ? pid : 0;
  }
  return 0;
}

}  // namespace

bool is_stale_legacy_temp(const fs::path& path, std::int64_t now) {
  const std::string name = path.filename().string();
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) return false;
  const std::int64_t age = now - static_cast<std::int64_t>(st.st_mtim.tv_sec);
  constexpr std::int64_t hour = 3600;
  if (const pid_t owner = legacy_report_temp_owner(name); owner != 0) {
    return owner != ::getpid() && !alive(owner);
  }
  const std::string_view n = name;
  if (n.ends_with(".stdout.tmp") || n.ends_with(".stderr.tmp")) {
    return n.size() > std::string_view(".stdout.tmp").size() && age >= 24 * hour;
  }
  // .<name>.json.XXXXXX
  if (n.size() > 1 + 5 + 1 + 6 && n.starts_with('.') && is_mkstemp_suffix(n.substr(n.size() - 6)) &&
      n.substr(0, n.size() - 6).ends_with(".json.")) {
    return age >= hour && holds_perfcheck_json(path);
  }
  return false;
}

fs::path temp_path_for(const fs::path& target, pid_t pid, unsigned serial) {
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  return dir / fmt::format(".{}{}{}-{}{}", target.filename().string(), temp_marker, pid, serial,
                           temp_suffix);
}

pid_t temp_file_owner(std::string_view name) {
  if (!name.starts_with('.') || !name.ends_with(temp_suffix)) return 0;
  const std::size_t marker = name.rfind(temp_marker);
  if (marker == std::string_view::npos || marker == 0) return 0;
  const std::string_view rest =
      name.substr(marker + temp_marker.size(), name.size() - marker - temp_marker.size() - temp_suffix.size());
  pid_t pid = 0;
  unsigned serial = 0;
  const char* end = rest.data() + rest.size();
  const auto [dash, ec] = std::from_chars(rest.data(), end, pid);
  if (ec != std::errc{} || pid <= 0 || dash == end || *dash != '-') return 0;
  const auto [stop, ec2] = std::from_chars(dash + 1, end, serial);
  return ec2 == std::errc{} && stop == end ? pid : 0;
}

std::size_t sweep_stale_temp_files(const fs::path& dir) {
  static std::mutex mutex;
  static std::set<fs::path> swept;
  std::error_code ec;
  const fs::path folder = fs::weakly_canonical(dir.empty() ? fs::path(".") : dir, ec);
  {
    const std::lock_guard lock(mutex);
    if (ec || !swept.insert(folder).second) return 0;
  }
  std::size_t removed = 0;
  const std::int64_t now = ::time(nullptr);
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const pid_t owner = temp_file_owner(it->path().filename().native());
    const bool stale = owner != 0 ? owner != ::getpid() && !alive(owner)
                                  : is_stale_legacy_temp(it->path(), now);
    if (!stale) continue;
    std::error_code ignored;
    if (fs::remove(it->path(), ignored)) ++removed;
  }
  return removed;
}

namespace {

/// Removes the folders make_temp_folder made for processes that are gone (a kill -9):
/// "<prefix>-<pid>-XXXXXX" in `parent`, whatever the prefix; another program's folder of a
/// similar name stays.
void sweep_stale_temp_folders(const fs::path& parent) {
  constexpr std::string_view start = "perfcheck-";
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(start)) continue;
    const std::size_t word_end = name.find('-', start.size());
    if (word_end == std::string::npos || word_end == start.size()) continue;
    pid_t owner = 0;
    const char* first = name.c_str() + word_end + 1;
    const auto [dash, error] = std::from_chars(first, name.c_str() + name.size(), owner);
    // Exactly <pid>-XXXXXX, as made below.
    const bool ours = error == std::errc{} && owner > 0 && *dash == '-' &&
                      std::string_view(dash + 1).size() == 6;
    if (!ours || alive(owner)) continue;
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

}  // namespace

std::filesystem::path make_temp_folder(std::string_view prefix) {
  const fs::path parent = fs::temp_directory_path();
  {
    // Once per process and folder: the sweep reads the whole temp folder.
    static std::mutex mutex;
    static std::set<fs::path> swept;
    const std::lock_guard lock(mutex);
    if (swept.insert(parent).second) sweep_stale_temp_folders(parent);
  }
  std::string pattern = (parent / fmt::format("{}-{}-XXXXXX", prefix, ::getpid())).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw os_error(errno, "mkdtemp", pattern);
  return pattern;
}

void install_temp_file_cleanup() {
  struct sigaction action {};
  action.sa_handler = remove_temps_and_die;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal_number, &action, nullptr);
}

temp_file_guard::temp_file_guard(fs::path path) : path_(std::move(path)), slot_(register_temp(path_)) {}

temp_file_guard::~temp_file_guard() {
  if (slot_ >= 0) temp_slots[static_cast<std::size_t>(slot_)].state.store(0);
  if (!released_) ::unlink(path_.c_str());
}

void temp_file_guard::release() noexcept {
  if (slot_ >= 0) temp_slots[static_cast<std::size_t>(slot_)].state.store(0);
  slot_ = -1;
  released_ = true;
}

// A stream buffer onto the temp file that keeps its first write error for commit().
class atomic_file::buffer : public std::streambuf {
 public:
  explicit buffer(int fd) : fd_(fd) { setp(data_.data(), data_.data() + data_.size()); }
  int error() const { return error_; }

 protected:
  int overflow(int c) override {
    if (!flush()) return traits_type::eof();
    if (c != traits_type::eof()) sputc(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  int sync() override { return flush() ? 0 : -1; }

 private:
  bool flush() {
    const std::size_t size = static_cast<std::size_t>(pptr() - pbase());
    setp(data_.data(), data_.data() + data_.size());
    if (error_ != 0) return false;
    for (std::size_t done = 0; done < size;) {
      const ssize_t n = ::write(fd_, data_.data() + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error_ = errno;
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  int fd_;
  int error_ = 0;
  std::array<char, 1 << 16> data_{};
};

atomic_file::atomic_file(fs::path target)
    : target_(std::move(target)), temp_([&] {
        static std::atomic<unsigned> serial{0};
        sweep_stale_temp_files(target_.has_parent_path() ? target_.parent_path() : fs::path("."));
        return temp_path_for(target_, ::getpid(), serial++);
      }()) {
  fd_ = ::open(temp_.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0 && errno == EEXIST) {
    // Left by an earlier process that had our pid: ours to replace.
    ::unlink(temp_.path().c_str());
    fd_ = ::open(temp_.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  }
  if (fd_ < 0) {
    const int error = errno;
    temp_.release();  // nothing was created
    throw os_error(error, "create", temp_.path());
  }
}

atomic_file::~atomic_file() {
  if (fd_ >= 0) ::close(fd_);
}

void atomic_file::write(std::string_view text) {
  if (stream_) stream_->flush();
  write_all(fd_, text.data(), text.size(), target_);
}

std::ostream& atomic_file::stream() {
  if (!stream_) {
    buffer_ = std::make_unique<buffer>(fd_);
    stream_ = std::make_unique<std::ostream>(buffer_.get());
  }
  return *stream_;
}

void atomic_file::commit() {
  if (stream_) {
    stream_->flush();
    if (buffer_->error() != 0) throw os_error(buffer_->error(), "write", target_);
    if (!*stream_) throw os_error(EIO, "write", target_);
  }
  // Mode 0644 whatever the umask made of it: results and reports are for everyone to read.
  if (::fchmod(fd_, 0644) != 0) throw os_error(errno, "fchmod", temp_.path());
  if (::fsync(fd_) != 0) throw os_error(errno, "write", target_);
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) throw os_error(errno, "write", target_);
  if (::rename(temp_.path().c_str(), target_.c_str()) != 0) throw os_error(errno, "rename", target_);
  temp_.release();
}

void write_file_atomic(const fs::path& path, std::string_view text) {
  atomic_file file(path);
  file.write(text);
  file.commit();
}

}  // namespace perfcheck
