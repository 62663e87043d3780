// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// perfcheck-launcher: starts, watches, limits, times and reaps each run of the measured
// command for perfcheck, and every process the run starts.
//
// Why it exists: wait4's ru_maxrss of a child is at least the resident size of the process
// that forked it, because exec records the old address space's high-water mark (Linux
// exec_mmap) and with vfork/clone(CLONE_VM) that address space is the parent's. Spawned
// straight from perfcheck, every command would report perfcheck's own megabytes as its floor.
// This program is plain C, linked -static, and resides in a few hundred KiB, so that is the
// floor. Being the command's parent also makes it the natural owner of the process tree.
//
// Usage (perfcheck does this; nobody else needs to):
//   perfcheck-launcher CONTROL_FD PROGRAM -- ARGV0 [ARGS...]
//   perfcheck-launcher --noop          exit 0 at once (perfcheck measures launch overhead)
//
// perfcheck starts the launcher once per process_executor with posix_spawn: stdin /dev/null,
// stdout and stderr perfcheck's own, the working directory and environment of the command,
// and CONTROL_FD one end of a socketpair(AF_UNIX, SOCK_SEQPACKET). PROGRAM is the resolved
// path to execute (perfcheck does the PATH search, for clear errors); ARGV is passed as is.
//
// Protocol (structs in launcher_protocol.h; every message is one packet):
//   1. perfcheck sends a RUN message: limits, sampling interval, CPU pinning, nice, ASLR.
//      With REDIRECT it carries two fds (SCM_RIGHTS) that become the command's stdout and
//      stderr; with CGROUP one more, the cgroup.procs of a cgroup the command joins.
//   2. The launcher reads CLOCK_MONOTONIC and starts the command with clone(CLONE_VM |
//      CLONE_VFORK) (posix_spawn's way, but with room for setup between clone and exec): new
//      process group, cgroup, affinity, nice, personality, rlimits, output fds, exec.
//   3. Until the command exits it samples the tree every interval (/proc: live processes,
//      summed RSS, CPU time and open fds when limited), checks the limits and the timeout, and
//      listens for a STOP from perfcheck (which watches the output). A limit that trips sends
//      SIGTERM to every process of the tree and SIGKILL after the grace period.
//   4. Once the command is reaped, any process of the tree still alive is counted as leaked
//      (unless the run was being stopped anyway) and stopped the same way. The launcher is a
//      child subreaper (PR_SET_CHILD_SUBREAPER), so grandchildren that double-fork or setsid()
//      are reparented to it and it reaps every one of them before it replies: no process
//      started by a run survives the run.
//   5. It sends one REPLY: pid, wall time, wait status or spawn error, the rusage of the whole
//      tree (RUSAGE_CHILDREN delta), the tree's I/O (/proc/self/io delta: a reaped child's
//      counts are added to its reaper), peak tree RSS, the memory timeline (at most 256
//      points, downsampled by keeping the maximum of merged neighbours), leaked processes and
//      the limit that stopped the run.
//   6. Repeat. End of file on the control socket: exit 0 (mid-run: kill the tree first). A
//      malformed message: a line on stderr and exit 2.
// If perfcheck dies, the launcher gets SIGTERM (PR_SET_PDEATHSIG; note that this fires when
// the spawning *thread* ends). On SIGTERM, SIGINT, SIGHUP or SIGQUIT it SIGKILLs the whole
// tree, reaps it, then dies of the signal itself. The command itself also gets SIGKILL if the
// launcher is killed outright (PR_SET_PDEATHSIG in the child).
//
// Signals are blocked except inside ppoll, so the loop handles them at known points.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launcher_protocol.h"

extern char** environ;

// The tree is walked breadth-first into this array; processes beyond it are not seen (they
// still die: every process ends up a child of the launcher once its ancestors are killed).
#define MAX_TREE 8192

static const int fatal_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
#define FATAL_COUNT ((int)(sizeof fatal_signals / sizeof fatal_signals[0]))

static volatile sig_atomic_t fatal_signal;
static sigset_t startup_mask;  // what the command gets
static sigset_t wait_mask;     // inside ppoll: fatal signals and SIGCHLD unblocked
static int startup_policy = SCHED_OTHER;  // the command's scheduling policy: the launcher's own
static struct sched_param startup_param;  // before it switched itself to SCHED_BATCH
static long startup_timer_slack = -1;     // likewise for its timer slack (ns)
static int control = -1;
static long page_size = 4096;
static long clock_ticks = 100;
static uint64_t own_read_chars;  // bytes this launcher read itself, kept out of the tree's rchar

static void stop_running_tree(void);

static void on_fatal_signal(int sig) { fatal_signal = sig; }
static void on_child_signal(int sig) { (void)sig; }

static void fail(const char* what, int error) {
  static const char prefix[] = "perfcheck-launcher: ";
  ssize_t ignored = write(2, prefix, sizeof prefix - 1);
  ignored = write(2, what, strlen(what));
  if (error != 0) {
    const char* text = strerror(error);
    ignored = write(2, ": ", 2);
    ignored = write(2, text, strlen(text));
  }
  ignored = write(2, "\n", 1);
  (void)ignored;
  stop_running_tree();  // giving up must not leave a run's processes behind
  exit(2);
}

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t timeval_ns(const struct timeval* t) {
  return (int64_t)t->tv_sec * 1000000000 + (int64_t)t->tv_usec * 1000;
}

// ---- small text helpers (no stdio: it would cost resident memory) ----

struct path_buffer {
  char text[96];
  size_t length;
};

static void path_add(struct path_buffer* p, const char* s) {
  size_t n = strlen(s);
  if (p->length + n >= sizeof p->text) n = sizeof p->text - 1 - p->length;
  memcpy(p->text + p->length, s, n);
  p->length += n;
  p->text[p->length] = '\0';
}

static void path_add_number(struct path_buffer* p, long value) {
  char digits[24];
  size_t n = 0;
  unsigned long v = (unsigned long)value;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < sizeof digits);
  char reversed[24];
  for (size_t i = 0; i < n; ++i) reversed[i] = digits[n - 1 - i];
  reversed[n] = '\0';
  path_add(p, reversed);
}

static void proc_path(struct path_buffer* p, long pid, const char* tail) {
  p->length = 0;
  p->text[0] = '\0';
  path_add(p, "/proc/");
  path_add_number(p, pid);
  path_add(p, tail);
}

// Reads up to size - 1 bytes of a (proc) file and NUL-terminates; -1 when unreadable.
static ssize_t read_small_file(const char* path, char* buffer, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t total = 0;
  while (total < size - 1) {
    ssize_t n = read(fd, buffer + total, size - 1 - total);
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return -1;
    }
    if (n == 0) break;
    own_read_chars += (uint64_t)n;
    total += (size_t)n;
  }
  close(fd);
  buffer[total] = '\0';
  return (ssize_t)total;
}

// ---- the process tree ----

// Open /proc files of the tree's processes, kept between samples and re-read with pread: a
// path lookup in /proc costs more than the read itself. An fd of a process that died keeps
// failing (ESRCH), even if its pid is reused, so a stale entry is found and dropped.
#define MAX_CACHED 64
struct cached_files {
  pid_t pid;
  int stat_fd;
  int children_fd;  // the main thread's children
};
static struct cached_files cache[MAX_CACHED];
static int cache_count;
static int self_children_fd = -1;

static void drop_cached(int index) {
  if (cache[index].stat_fd >= 0) close(cache[index].stat_fd);
  if (cache[index].children_fd >= 0) close(cache[index].children_fd);
  cache[index] = cache[--cache_count];
}

static void clear_cache(void) {
  while (cache_count > 0) drop_cached(cache_count - 1);
}

// Reads a /proc file from its start into buffer (NUL-terminated); -1 when it fails.
static ssize_t pread_all(int fd, char* buffer, size_t size) {
  size_t total = 0;
  while (total < size - 1) {
    ssize_t n = pread(fd, buffer + total, size - 1 - total, (off_t)total);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    own_read_chars += (uint64_t)n;
    total += (size_t)n;
  }
  buffer[total] = '\0';
  return (ssize_t)total;
}

struct tree {
  pid_t pids[MAX_TREE];
  int count;         // entries in pids
  int live;          // of them not zombies
  int64_t rss_bytes; // summed over live processes
  int64_t cpu_ticks; // utime + stime + cutime + cstime of every listed process
  int max_fds;       // most open fds of one process (when counted)
};
static struct tree tree;

static void tree_push(pid_t pid) {
  if (tree.count < MAX_TREE) tree.pids[tree.count++] = pid;
}

// Appends every pid listed in an open /proc/.../children file ("12 34 "), read from its start.
// Returns -1 when it cannot be read.
static int push_children_fd(int fd) {
  char buffer[1024];
  long pending = -1;  // a number split across reads
  off_t at = 0;
  for (;;) {
    ssize_t n = pread(fd, buffer, sizeof buffer, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    at += n;
    own_read_chars += (uint64_t)n;
    for (ssize_t i = 0; i < n; ++i) {
      char c = buffer[i];
      if (c >= '0' && c <= '9') {
        pending = (pending < 0 ? 0 : pending * 10) + (c - '0');
      } else if (pending >= 0) {
        tree_push((pid_t)pending);
        pending = -1;
      }
    }
  }
  if (pending >= 0) tree_push((pid_t)pending);
  return 0;
}

// Appends every pid listed in the /proc/.../children file at `path`.
static void push_children_from(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)push_children_fd(fd);
  close(fd);
}

struct linux_dirent64_header {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// Calls visit(number) for each numeric entry of a directory, or counts all entries but "."
// and ".." when visit is NULL. Returns the count, -1 when the directory cannot be read.
static int for_each_entry(const char* path, void (*visit)(long pid, long number)) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  static char buffer[4096] __attribute__((aligned(8)));
  int count = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (long at = 0; at < n;) {
      struct linux_dirent64_header* entry = (struct linux_dirent64_header*)(void*)(buffer + at);
      at += entry->d_reclen;
      const char* name = entry->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      ++count;
      if (visit != NULL) visit(0, strtol(name, NULL, 10));
    }
  }
  close(fd);
  return count;
}

static long threads_of;  // the pid whose task folder for_each_entry walks
static void push_children_of_thread(long unused, long tid) {
  (void)unused;
  struct path_buffer path;
  proc_path(&path, threads_of, "/task/");
  path_add_number(&path, tid);
  path_add(&path, "/children");
  push_children_from(path.text);
}

// Field `index` (1-based, as in proc(5)) of a /proc/PID/stat line, after the "(comm)" field.
static const char* stat_field(const char* line, int index) {
  const char* p = strrchr(line, ')');
  if (p == NULL) return NULL;
  int field = 2;
  while (field < index) {
    p = strchr(p + 1, ' ');
    if (p == NULL) return NULL;
    ++field;
  }
  return p + 1;
}

// Walks the launcher's descendants: tree.pids, tree.live, and with `measure` the summed RSS,
// CPU ticks and (with `count_fds`) the most open fds of one process.
static void walk_tree(int measure, int count_fds) {
  tree.count = 0;
  tree.live = 0;
  tree.rss_bytes = 0;
  tree.cpu_ticks = 0;
  tree.max_fds = 0;
  struct path_buffer path;
  if (self_children_fd < 0) {
    proc_path(&path, getpid(), "/task/");
    path_add_number(&path, getpid());
    path_add(&path, "/children");
    self_children_fd = open(path.text, O_RDONLY | O_CLOEXEC);
  }
  if (self_children_fd >= 0) (void)push_children_fd(self_children_fd);
  for (int i = 0; i < tree.count; ++i) {
    pid_t pid = tree.pids[i];
    char line[1024];
    int cached = -1;
    for (int c = 0; c < cache_count; ++c)
      if (cache[c].pid == pid) cached = c;
    if (cached < 0 && cache_count < MAX_CACHED) {
      proc_path(&path, pid, "/stat");
      int stat_fd = open(path.text, O_RDONLY | O_CLOEXEC);
      if (stat_fd >= 0) {
        cached = cache_count++;
        cache[cached].pid = pid;
        cache[cached].stat_fd = stat_fd;
        cache[cached].children_fd = -1;
      }
    }
    if (cached >= 0) {
      if (pread_all(cache[cached].stat_fd, line, sizeof line) <= 0) {
        drop_cached(cached);  // gone: its pid may come back as another process
        continue;
      }
    } else {
      proc_path(&path, pid, "/stat");
      if (read_small_file(path.text, line, sizeof line) <= 0) continue;  // gone already
    }
    const char* state = stat_field(line, 3);
    const char* threads = stat_field(line, 20);
    int zombie = state == NULL || *state == 'Z' || *state == 'X';
    if (!zombie) ++tree.live;
    if (measure) {
      const char* utime = stat_field(line, 14);
      if (utime != NULL) {
        char* end = NULL;
        for (int f = 0; f < 4; ++f) {
          tree.cpu_ticks += strtoll(utime, &end, 10);
          utime = end;
        }
      }
      const char* rss = stat_field(line, 24);
      if (!zombie && rss != NULL) tree.rss_bytes += strtoll(rss, NULL, 10) * page_size;
      if (count_fds && !zombie) {
        proc_path(&path, pid, "/fd");
        int fds = for_each_entry(path.text, NULL);
        if (fds > tree.max_fds) tree.max_fds = fds;
      }
    }
    if (zombie) continue;
    if (threads != NULL && strtol(threads, NULL, 10) == 1) {
      if (cached >= 0 && cache[cached].children_fd < 0) {
        proc_path(&path, pid, "/task/");
        path_add_number(&path, pid);
        path_add(&path, "/children");
        cache[cached].children_fd = open(path.text, O_RDONLY | O_CLOEXEC);
      }
      if (cached >= 0 && cache[cached].children_fd >= 0) {
        (void)push_children_fd(cache[cached].children_fd);
      } else {
        proc_path(&path, pid, "/task/");
        path_add_number(&path, pid);
        path_add(&path, "/children");
        push_children_from(path.text);
      }
    } else {
      threads_of = pid;
      proc_path(&path, pid, "/task");
      (void)for_each_entry(path.text, push_children_of_thread);
    }
  }
}

// ---- one run ----

struct run_state {
  const struct perfcheck_launcher_run* request;
  pid_t command;
  int command_done;
  int command_status;
  struct rusage command_usage;
  int64_t start_ns, end_ns;
  int stopping;      // SIGTERM sent to the tree
  int64_t kill_at;   // then SIGKILL from this time on
  int limit;
  int64_t limit_observed;
  struct rusage children_before;
  int64_t cpu_base_ns;  // RUSAGE_CHILDREN user + sys at the start
};
static struct run_state run;
static struct perfcheck_launcher_reply reply;
static uint32_t bucket_samples, samples_per_point;

static void add_point(int64_t t_ns, int64_t rss_bytes, int32_t processes) {
  if (bucket_samples == 0) {
    if (reply.point_count == PERFCHECK_LAUNCHER_MAX_POINTS) {
      // Full: merge neighbours (keeping maxima) and let each point stand for twice as much.
      for (uint32_t i = 0; i < PERFCHECK_LAUNCHER_MAX_POINTS / 2; ++i) {
        struct perfcheck_launcher_point a = reply.points[2 * i], b = reply.points[2 * i + 1];
        if (b.rss_bytes > a.rss_bytes) a.rss_bytes = b.rss_bytes;
        if (b.processes > a.processes) a.processes = b.processes;
        reply.points[i] = a;
      }
      reply.point_count = PERFCHECK_LAUNCHER_MAX_POINTS / 2;
      samples_per_point *= 2;
    }
    struct perfcheck_launcher_point* p = &reply.points[reply.point_count++];
    p->t_ns = t_ns;
    p->rss_bytes = rss_bytes;
    p->processes = processes;
    p->reserved = 0;
  } else {
    struct perfcheck_launcher_point* p = &reply.points[reply.point_count - 1];
    if (rss_bytes > p->rss_bytes) p->rss_bytes = rss_bytes;
    if (processes > p->processes) p->processes = processes;
  }
  if (++bucket_samples >= samples_per_point) bucket_samples = 0;
}

// Sends `sig` to the command's process group and to every process of the tree. Returns the
// number of live processes found.
static int signal_tree(int sig) {
  // The group id is certain to be the command's only until the command is reaped; after
  // that the walk alone finds the tree (the id could in principle be reused).
  if (run.command > 0 && !run.command_done) kill(-run.command, sig);
  walk_tree(0, 0);
  for (int i = 0; i < tree.count; ++i) kill(tree.pids[i], sig);
  return tree.live;
}

static void trip(int limit, int64_t observed, int64_t now) {
  if (run.limit == PERFCHECK_LIMIT_NONE) {
    run.limit = limit;
    run.limit_observed = observed;
  }
  if (!run.stopping) {
    run.stopping = 1;
    run.kill_at = now + run.request->grace_ns;
    signal_tree(SIGTERM);
  }
}

// Reaps every dead child without blocking. Returns 1 while children remain, 0 when none.
static int reap_children(void) {
  for (;;) {
    int status = 0;
    struct rusage usage;
    pid_t pid = wait4(-1, &status, WNOHANG | __WALL, &usage);
    if (pid == 0) return 1;
    if (pid < 0) {
      if (errno == EINTR) continue;
      return 0;  // ECHILD
    }
    if (pid == run.command && !run.command_done) {
      run.end_ns = now_ns();
      run.command_done = 1;
      run.command_status = status;
      run.command_usage = usage;
    }
    if (WIFSIGNALED(status) && run.request != NULL) {
      int sig = WTERMSIG(status);
      if (sig == SIGXCPU && run.request->cpu_time_ns > 0)
        trip(PERFCHECK_LIMIT_CPU_TIME, 0, now_ns());
      else if (sig == SIGXFSZ && run.request->file_size_bytes > 0)
        trip(PERFCHECK_LIMIT_FILE_SIZE, run.request->file_size_bytes, now_ns());
    }
  }
}

// Waits until a signal, the control socket (when `watch_control`) or `deadline_ns` (< 0:
// none). Returns the poll revents of the control socket.
static short wait_for_event(int64_t deadline_ns, int watch_control) {
  struct timespec timeout, *use_timeout = NULL;
  if (deadline_ns >= 0) {
    int64_t left = deadline_ns - now_ns();
    if (left < 0) left = 0;
    timeout.tv_sec = (time_t)(left / 1000000000);
    timeout.tv_nsec = (long)(left % 1000000000);
    use_timeout = &timeout;
  }
  struct pollfd fd = {control, POLLIN, 0};
  int ready = ppoll(&fd, watch_control ? 1 : 0, use_timeout, &wait_mask);
  if (ready <= 0) return 0;
  return fd.revents;
}

// SIGKILLs the whole tree until nothing is left (the command included), reaping as it goes.
static void kill_everything(void) {
  for (;;) {
    if (!reap_children()) return;
    signal_tree(SIGKILL);
    if (!reap_children()) return;
    wait_for_event(now_ns() + 20000000, 0);
  }
}

static void stop_running_tree(void) {
  if (run.command > 0) kill_everything();
}

static void die_of(int sig) {
  kill_everything();
  signal(sig, SIG_DFL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  sigprocmask(SIG_UNBLOCK, &only, NULL);
  raise(sig);
  _exit(128 + sig);
}

struct io_counts {
  int64_t rchar, wchar, read_bytes, write_bytes;
};

// The launcher's /proc/self/io: its own I/O plus that of every child it has reaped. Opened
// once and re-read with pread.
static int read_io(struct io_counts* io) {
  static int fd = -2;
  char text[512];
  memset(io, 0, sizeof *io);
  if (fd == -2) fd = open("/proc/self/io", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || pread_all(fd, text, sizeof text) <= 0) return 0;
  static const struct {
    const char* key;
    size_t offset;
  } keys[] = {{"rchar: ", offsetof(struct io_counts, rchar)},
              {"wchar: ", offsetof(struct io_counts, wchar)},
              {"read_bytes: ", offsetof(struct io_counts, read_bytes)},
              {"write_bytes: ", offsetof(struct io_counts, write_bytes)}};
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; ++k) {
    const char* at = strstr(text, keys[k].key);
    if (at == NULL) return 0;
    int64_t value = strtoll(at + strlen(keys[k].key), NULL, 10);
    memcpy((char*)io + keys[k].offset, &value, sizeof value);
  }
  return 1;
}

// ---- starting the command ----

struct child_args {
  const char* program;
  char** argv;
  int out_fd, err_fd, cgroup_fd;
  const struct perfcheck_launcher_run* request;
  volatile int error;
  volatile int step;
};

static int set_limit(int resource, rlim_t soft, rlim_t hard) {
  struct rlimit current;
  if (getrlimit(resource, &current) != 0) return -1;
  // Never above the inherited hard limit: only a privileged process could raise it.
  if (current.rlim_max != RLIM_INFINITY && hard > current.rlim_max) hard = current.rlim_max;
  if (soft > hard) soft = hard;
  struct rlimit wanted = {soft, hard};
  return setrlimit(resource, &wanted);
}

// Runs in the clone(CLONE_VM | CLONE_VFORK) child on its own stack, sharing the launcher's
// memory until exec: only system calls, and the outcome goes into *args.
static int child_main(void* arg) {
  struct child_args* args = arg;
  const struct perfcheck_launcher_run* request = args->request;
  int step = PERFCHECK_STEP_PROCESS_GROUP;
  // The handler table is the child's own copy (no CLONE_SIGHAND): reset it for the command.
  for (int i = 0; i < FATAL_COUNT; ++i) signal(fatal_signals[i], SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  if (setpgid(0, 0) != 0) goto failed;
  // Back to the policy perfcheck was started with: SCHED_BATCH is the launcher's own.
  if (sched_getscheduler(0) != startup_policy) (void)sched_setscheduler(0, startup_policy, &startup_param);
  if (startup_timer_slack > 0) (void)prctl(PR_SET_TIMERSLACK, (unsigned long)startup_timer_slack);
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // best effort: the launcher killed outright
  step = PERFCHECK_STEP_CGROUP;
  if (args->cgroup_fd >= 0 && write(args->cgroup_fd, "0", 1) != 1) goto failed;
  step = PERFCHECK_STEP_AFFINITY;
  if ((request->flags & PERFCHECK_LAUNCHER_AFFINITY) != 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    memcpy(&set, request->cpus, sizeof request->cpus < sizeof set ? sizeof request->cpus : sizeof set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) goto failed;
  }
  step = PERFCHECK_STEP_NICE;
  if ((request->flags & PERFCHECK_LAUNCHER_NICE) != 0 &&
      setpriority(PRIO_PROCESS, 0, request->nice) != 0)
    goto failed;
  step = PERFCHECK_STEP_PERSONALITY;
  if ((request->flags & PERFCHECK_LAUNCHER_NO_ASLR) != 0) {
    int persona = personality(0xffffffff);
    if (persona == -1 || personality((unsigned long)persona | ADDR_NO_RANDOMIZE) == -1) goto failed;
  }
  step = PERFCHECK_STEP_REDIRECT;
  // The received fds are close-on-exec; dup2 onto 1 and 2 clears that on the copies. 0..2
  // are always open in the launcher, so the received fds are never 1 or 2 themselves.
  if (args->out_fd >= 0 && (dup2(args->out_fd, 1) < 0 || dup2(args->err_fd, 2) < 0)) goto failed;
  step = PERFCHECK_STEP_RLIMIT;
  if (request->file_size_bytes > 0 &&
      set_limit(RLIMIT_FSIZE, (rlim_t)request->file_size_bytes, (rlim_t)request->file_size_bytes) != 0)
    goto failed;
  if (request->cpu_time_ns > 0) {
    // A per-process backstop one second above the tree limit the sampler enforces; the
    // kernel counts whole seconds, SIGXCPU at the soft limit, SIGKILL at the hard one.
    rlim_t seconds = (rlim_t)((request->cpu_time_ns + 999999999) / 1000000000) + 1;
    if (set_limit(RLIMIT_CPU, seconds, seconds + 1) != 0) goto failed;
  }
  if (request->open_files > 0 &&
      set_limit(RLIMIT_NOFILE, (rlim_t)request->open_files + 1, (rlim_t)request->open_files + 1) != 0)
    goto failed;
  sigprocmask(SIG_SETMASK, &startup_mask, NULL);
  step = PERFCHECK_STEP_EXEC;
  execve(args->program, args->argv, environ);
failed:
  args->error = errno != 0 ? errno : EINVAL;
  args->step = step;
  _exit(127);
}

static char child_stack[64 * 1024] __attribute__((aligned(16)));

static void run_once(const char* program, char** argv, const struct perfcheck_launcher_run* request,
                     const int fds[3]) {
  memset(&run, 0, sizeof run);
  memset(&reply, 0, sizeof reply);
  run.request = request;
  reply.magic = PERFCHECK_LAUNCHER_MAGIC;
  reply.version = PERFCHECK_LAUNCHER_VERSION;
  reply.type = PERFCHECK_LAUNCHER_REPLY;
  bucket_samples = 0;
  samples_per_point = 1;

  getrusage(RUSAGE_CHILDREN, &run.children_before);
  run.cpu_base_ns = timeval_ns(&run.children_before.ru_utime) + timeval_ns(&run.children_before.ru_stime);
  own_read_chars = 0;
  struct io_counts io_before, io_after;
  int io_ok = read_io(&io_before);

  struct child_args args = {program, argv, fds[0], fds[1], fds[2], request, 0, 0};
  run.start_ns = now_ns();
  pid_t pid = clone(child_main, child_stack + sizeof child_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int spawn_errno = pid < 0 ? errno : args.error;
  int spawn_step = pid < 0 ? PERFCHECK_STEP_CLONE : args.step;
  for (int i = 0; i < 3; ++i)
    if (fds[i] >= 0) close(fds[i]);
  if (spawn_errno != 0) {
    reply.wall_ns = now_ns() - run.start_ns;
    reply.spawn_errno = spawn_errno;
    reply.spawn_step = spawn_step;
    if (pid > 0)
      while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR) {
      }
    return;
  }
  run.command = pid;

  const int64_t interval = request->sample_interval_ns;
  const int count_fds = request->open_files > 0;
  // The first sample one interval in: a run shorter than that costs no sampling at all (its
  // peak is the command's own ru_maxrss).
  int64_t next_sample = run.start_ns + interval;
  int64_t peak = 0;
  const int64_t deadline = request->timeout_ns > 0 ? run.start_ns + request->timeout_ns : -1;
  for (;;) {
    reap_children();
    if (run.command_done) break;
    int64_t now = now_ns();
    if (interval > 0 && now >= next_sample) {
      walk_tree(1, count_fds);
      ++reply.samples;
      if (tree.rss_bytes > peak) peak = tree.rss_bytes;
      add_point(now - run.start_ns, tree.rss_bytes, tree.live);
      if (request->memory_bytes > 0 && tree.rss_bytes > request->memory_bytes)
        trip(PERFCHECK_LIMIT_MEMORY, tree.rss_bytes, now);
      if (request->processes > 0 && tree.live > request->processes)
        trip(PERFCHECK_LIMIT_PROCESSES, tree.live, now);
      if (count_fds && tree.max_fds > request->open_files)
        trip(PERFCHECK_LIMIT_OPEN_FILES, tree.max_fds, now);
      if (request->cpu_time_ns > 0) {
        struct rusage children;
        getrusage(RUSAGE_CHILDREN, &children);
        int64_t cpu = tree.cpu_ticks * (1000000000 / clock_ticks) +
                      timeval_ns(&children.ru_utime) + timeval_ns(&children.ru_stime) - run.cpu_base_ns;
        if (cpu > request->cpu_time_ns) trip(PERFCHECK_LIMIT_CPU_TIME, cpu, now);
      }
      next_sample += interval;
      if (next_sample <= now) next_sample = now + interval;
    }
    if (deadline >= 0 && now >= deadline && !run.stopping)
      trip(PERFCHECK_LIMIT_TIMEOUT, now - run.start_ns, now);
    if (run.stopping && now >= run.kill_at) signal_tree(SIGKILL);

    int64_t wake = -1;
    if (interval > 0) wake = next_sample;
    if (deadline >= 0 && !run.stopping && (wake < 0 || deadline < wake)) wake = deadline;
    if (run.stopping) {
      // After the grace period, SIGKILL again every 20 ms until the command is gone.
      int64_t next_kill = run.kill_at > now ? run.kill_at : now + 20000000;
      if (wake < 0 || next_kill < wake) wake = next_kill;
    }
    short revents = wait_for_event(wake, 1);
    if (fatal_signal != 0) die_of(fatal_signal);
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      struct perfcheck_launcher_stop stop;
      ssize_t n;
      do {
        n = recv(control, &stop, sizeof stop, MSG_DONTWAIT);
      } while (n < 0 && errno == EINTR);
      if (n == 0 || (n < 0 && errno != EAGAIN)) {
        kill_everything();  // perfcheck is gone
        exit(0);
      }
      if (n == (ssize_t)sizeof stop && stop.magic == PERFCHECK_LAUNCHER_MAGIC &&
          stop.version == PERFCHECK_LAUNCHER_VERSION && stop.type == PERFCHECK_LAUNCHER_STOP)
        trip(stop.limit, stop.observed, now_ns());
      else if (n > 0)
        fail("malformed message on the control socket during a run", 0);
    }
  }

  // The command is gone. Whatever of its tree is still alive leaked (unless the run was being
  // stopped anyway): it is counted, then stopped like a tree over a limit.
  walk_tree(0, 0);
  if (!run.stopping) {
    reply.leaked_processes = tree.live;
    if (tree.live > 0 || tree.count > 0) {
      run.stopping = 1;
      run.kill_at = now_ns() + request->grace_ns;
      signal_tree(SIGTERM);
    }
  }
  while (reap_children()) {
    int64_t now = now_ns();
    if (now >= run.kill_at) signal_tree(SIGKILL);
    if (!reap_children()) break;
    wait_for_event(run.kill_at > now ? run.kill_at : now + 20000000, 0);
    if (fatal_signal != 0) die_of(fatal_signal);
  }

  struct rusage after;
  getrusage(RUSAGE_CHILDREN, &after);
  uint64_t own = own_read_chars;
  io_ok = io_ok && read_io(&io_after);
  struct rusage* before = &run.children_before;
  reply.pid = pid;
  reply.wait_status = run.command_status;
  reply.wall_ns = run.end_ns - run.start_ns;
  reply.user_ns = timeval_ns(&after.ru_utime) - timeval_ns(&before->ru_utime);
  reply.sys_ns = timeval_ns(&after.ru_stime) - timeval_ns(&before->ru_stime);
  reply.max_rss_bytes = (int64_t)run.command_usage.ru_maxrss * 1024;
  reply.minor_faults = after.ru_minflt - before->ru_minflt;
  reply.major_faults = after.ru_majflt - before->ru_majflt;
  reply.voluntary_cs = after.ru_nvcsw - before->ru_nvcsw;
  reply.involuntary_cs = after.ru_nivcsw - before->ru_nivcsw;
  reply.blocks_in = after.ru_inblock - before->ru_inblock;
  reply.blocks_out = after.ru_oublock - before->ru_oublock;
  reply.rss_tree_bytes = peak > reply.max_rss_bytes ? peak : reply.max_rss_bytes;
  if (io_ok) {
    reply.io_available = 1;
    int64_t rchar = io_after.rchar - io_before.rchar - (int64_t)own;
    reply.read_chars = rchar > 0 ? rchar : 0;
    reply.write_chars = io_after.wchar - io_before.wchar;
    reply.read_bytes = io_after.read_bytes - io_before.read_bytes;
    reply.write_bytes = io_after.write_bytes - io_before.write_bytes;
  }
  // A command that died of the signal an rlimit sends hit that limit.
  if (run.limit == PERFCHECK_LIMIT_NONE && WIFSIGNALED(run.command_status)) {
    int sig = WTERMSIG(run.command_status);
    if (sig == SIGXCPU && request->cpu_time_ns > 0) run.limit = PERFCHECK_LIMIT_CPU_TIME;
    if (sig == SIGXFSZ && request->file_size_bytes > 0) {
      run.limit = PERFCHECK_LIMIT_FILE_SIZE;
      run.limit_observed = request->file_size_bytes;
    }
  }
  reply.limit = run.limit;
  reply.limit_observed = run.limit_observed;
  clear_cache();
  run.command = 0;
  run.request = NULL;
}

// ---- the control socket ----

// Waits for and receives one RUN message and its fds (out[0], out[1], out[2], or -1). STOP
// messages that arrive after their run ended are dropped. Returns 0 on end of file.
static int receive_request(struct perfcheck_launcher_run* request, int out[3]) {
  for (;;) {
    wait_for_event(-1, 1);
    if (fatal_signal != 0) die_of(fatal_signal);
    union {
      struct cmsghdr align;
      char bytes[CMSG_SPACE(3 * sizeof(int))];
    } control_buffer;
    struct iovec iov = {request, sizeof *request};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control_buffer.bytes;
    msg.msg_controllen = sizeof control_buffer.bytes;

    ssize_t n = recvmsg(control, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) fail("recvmsg", errno);
    if (n == 0) return 0;

    int fds[4] = {-1, -1, -1, -1};
    size_t fd_count = 0;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        if (fd_count < 4) fds[fd_count] = fd;
        ++fd_count;
      }
    }
    if (n == (ssize_t)sizeof(struct perfcheck_launcher_stop) && fd_count == 0 &&
        request->magic == PERFCHECK_LAUNCHER_MAGIC && request->version == PERFCHECK_LAUNCHER_VERSION &&
        request->type == PERFCHECK_LAUNCHER_STOP)
      continue;  // too late: its run is over
    if ((size_t)n != sizeof *request || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
        request->magic != PERFCHECK_LAUNCHER_MAGIC || request->version != PERFCHECK_LAUNCHER_VERSION ||
        request->type != PERFCHECK_LAUNCHER_RUN)
      fail("malformed request on the control socket (is perfcheck from another version?)", 0);
    size_t expected = ((request->flags & PERFCHECK_LAUNCHER_REDIRECT) != 0 ? 2 : 0) +
                      ((request->flags & PERFCHECK_LAUNCHER_CGROUP) != 0 ? 1 : 0);
    if (fd_count != expected) fail("request carries the wrong number of fds", 0);
    size_t next = 0;
    out[0] = out[1] = out[2] = -1;
    if ((request->flags & PERFCHECK_LAUNCHER_REDIRECT) != 0) {
      out[0] = fds[next++];
      out[1] = fds[next++];
    }
    if ((request->flags & PERFCHECK_LAUNCHER_CGROUP) != 0) out[2] = fds[next++];
    return 1;
  }
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "--noop") == 0) return 0;
  if (argc < 5 || strcmp(argv[3], "--") != 0)
    fail("usage: perfcheck-launcher CONTROL_FD PROGRAM -- ARGV0 [ARGS...] | --noop", 0);

  char* end = NULL;
  long control_number = strtol(argv[1], &end, 10);
  if (*argv[1] == '\0' || *end != '\0' || control_number < 0 || control_number > 1 << 20)
    fail("CONTROL_FD is not a file descriptor number", 0);
  control = (int)control_number;
  // The command must not inherit the control socket.
  if (fcntl(control, F_SETFD, FD_CLOEXEC) != 0) fail("CONTROL_FD", errno);

  // Keep 0..2 occupied, so that received fds never land on them.
  for (int fd = 0; fd <= 2; ++fd)
    if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0) fail("/dev/null", errno);

  page_size = sysconf(_SC_PAGESIZE);
  clock_ticks = sysconf(_SC_CLK_TCK);
  if (page_size <= 0) page_size = 4096;
  if (clock_ticks <= 0) clock_ticks = 100;

  // Every orphan of the tree becomes the launcher's to reap (and to kill).
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) fail("prctl PR_SET_CHILD_SUBREAPER", errno);

  // The sampler wakes every interval: as SCHED_BATCH its wake-ups do not preempt the
  // measured command mid-slice (they wait for a free CPU or the end of the slice, a few ms at
  // most), and a timer slack of 1 ms lets the kernel fold them into other timer interrupts.
  // Only when perfcheck runs under the normal policy: a real-time perfcheck keeps its own.
  startup_policy = sched_getscheduler(0);
  if (startup_policy >= 0) (void)sched_getparam(0, &startup_param);
  if (startup_policy == SCHED_OTHER) {
    struct sched_param batch = {0};
    (void)sched_setscheduler(0, SCHED_BATCH, &batch);
  }
  startup_timer_slack = prctl(PR_GET_TIMERSLACK);
  (void)prctl(PR_SET_TIMERSLACK, 1000000UL);

  sigset_t handled;
  sigemptyset(&handled);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  sigemptyset(&action.sa_mask);
  action.sa_handler = on_fatal_signal;
  for (int i = 0; i < FATAL_COUNT; ++i) {
    sigaction(fatal_signals[i], &action, NULL);
    sigaddset(&handled, fatal_signals[i]);
  }
  action.sa_handler = on_child_signal;
  action.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &action, NULL);
  sigaddset(&handled, SIGCHLD);
  sigprocmask(SIG_BLOCK, &handled, &startup_mask);
  wait_mask = startup_mask;
  for (int i = 0; i < FATAL_COUNT; ++i) sigdelset(&wait_mask, fatal_signals[i]);
  sigdelset(&wait_mask, SIGCHLD);
  prctl(PR_SET_PDEATHSIG, SIGTERM);

  const char* program = argv[2];
  char** command_argv = argv + 4;
  for (;;) {
    static struct perfcheck_launcher_run request;
    int fds[3];
    if (receive_request(&request, fds) == 0) return 0;
    run_once(program, command_argv, &request, fds);
    ssize_t sent;
    do {
      sent = send(control, &reply, PERFCHECK_LAUNCHER_REPLY_SIZE(reply.point_count), MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return errno == EPIPE || errno == ECONNRESET ? 0 : 2;
  }
}
