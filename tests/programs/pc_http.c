// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// pc_http [OPTIONS]: a small HTTP/1.1 server on 127.0.0.1 for the server-under-test tests (and
// the load tests), one poll loop, keep-alive. Every path answers 200 "ok\n" (or 500 for the
// error fraction); /health answers --health-status. A request's body (Content-Length) is read and
// ignored. Knobs:
//   --port N           the port [default: $PERFCHECK_SERVER_PORT]
//   --bind-offset K    listen on port + K instead (a server that binds another port; the next
//                      free one up when that one is taken)
//   --start-delay MS   sleep before listening (slow start)
//   --crash-at-start C print to stderr and exit with status C before listening
//   --service MS       time to serve one request (a sleep)
//   --stall MS         stall the whole server once for MS (a sleep in its only thread) ...
//   --stall-after N    ... before answering its N-th request (not counting /health) [default: 1]
//   --error-fraction F answer 500 to that fraction of requests (evenly spread, deterministic)
//   --leak KIB         keep KIB KiB more memory (touched) per request
//   --leak-threads     start a thread per request that never ends (a thread leak)
//   --ignore-term      ignore SIGTERM
//   --daemon           start a detached grandchild (setsid, double fork) that sleeps forever
//   --health-status C  the status of /health [default: 200]
//   --echo-size        answer 200 with a body of as many bytes ('x') as the request's body had
//   --tag WORD         ignored: marks the process (and its daemon) for the tests' process checks
// Prints "listening on 127.0.0.1:PORT" on stdout once it accepts connections.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64
#define BUFFER_SIZE 8192

struct options {
  int port, bind_offset, start_delay_ms, crash_code, service_ms, leak_kib, health_status, stall_ms;
  long stall_after;
  double error_fraction;
  int ignore_term, daemon, leak_threads, echo_size;
};

struct client {
  int fd;
  size_t used;
  char buffer[BUFFER_SIZE];
};

static void sleep_ms(int ms) {
  struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

static int parse_options(int argc, char** argv, struct options* o) {
  const char* env_port = getenv("PERFCHECK_SERVER_PORT");
  memset(o, 0, sizeof *o);
  o->port = env_port ? atoi(env_port) : 0;
  o->crash_code = -1;
  o->health_status = 200;
  o->stall_after = 1;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--ignore-term") == 0) { o->ignore_term = 1; continue; }
    if (strcmp(a, "--daemon") == 0) { o->daemon = 1; continue; }
    if (strcmp(a, "--leak-threads") == 0) { o->leak_threads = 1; continue; }
    if (strcmp(a, "--echo-size") == 0) { o->echo_size = 1; continue; }
    if (v == NULL) { fprintf(stderr, "pc_http: %s needs a value\n", a); return -1; }
    ++i;
    if (strcmp(a, "--port") == 0) o->port = atoi(v);
    else if (strcmp(a, "--bind-offset") == 0) o->bind_offset = atoi(v);
    else if (strcmp(a, "--start-delay") == 0) o->start_delay_ms = atoi(v);
    else if (strcmp(a, "--crash-at-start") == 0) o->crash_code = atoi(v);
    else if (strcmp(a, "--service") == 0) o->service_ms = atoi(v);
    else if (strcmp(a, "--error-fraction") == 0) o->error_fraction = atof(v);
    else if (strcmp(a, "--stall") == 0) o->stall_ms = atoi(v);
    else if (strcmp(a, "--stall-after") == 0) o->stall_after = atol(v);
    else if (strcmp(a, "--leak") == 0) o->leak_kib = atoi(v);
    else if (strcmp(a, "--health-status") == 0) o->health_status = atoi(v);
    else if (strcmp(a, "--tag") == 0) continue;
    else { fprintf(stderr, "pc_http: unknown option %s\n", a); return -1; }
  }
  if (o->port <= 0 || o->port > 65535) { fputs("pc_http: give --port N or PERFCHECK_SERVER_PORT\n", stderr); return -1; }
  return 0;
}

static void* idle_forever(void* unused) {
  (void)unused;
  for (;;) pause();
  return NULL;
}

// A grandchild in its own session that outlives this process unless its tree is stopped.
static void start_daemon(void) {
  if (fork() != 0) return;
  setsid();
  if (fork() != 0) _exit(0);
  for (;;) pause();
}

// Listens on `*port`; with `tries` > 1 (a --bind-offset port, which nothing reserved for this
// server), on the next port up when one is taken, so that another test's socket there does
// not end the server. The port it listens on is left in *port.
static int listen_on(int* port, int tries) {
  for (int attempt = 0;; ++attempt, ++*port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)*port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd >= 0 && bind(fd, (struct sockaddr*)&address, sizeof address) == 0 && listen(fd, 128) == 0) return fd;
    const int error = errno;
    if (fd >= 0) close(fd);
    if (error != EADDRINUSE || attempt + 1 >= tries) {
      fprintf(stderr, "pc_http: cannot listen on 127.0.0.1:%d: %s\n", *port, strerror(error));
      exit(1);
    }
  }
}

// Answers one request; returns 0 to keep the connection, -1 to close it.
static int answer(int fd, const char* request, size_t request_body, const struct options* o, long* served) {
  const long n = (*served)++;
  int status = 200;
  if (strncmp(request, "GET /health", 11) == 0) {
    status = o->health_status;
  } else {
    if (o->stall_ms > 0 && n + 1 == o->stall_after) sleep_ms(o->stall_ms);
    if (o->service_ms > 0) sleep_ms(o->service_ms);
    if (o->error_fraction > 0 && (long)((n + 1) * o->error_fraction) > (long)(n * o->error_fraction)) status = 500;
    if (o->leak_kib > 0) {
      char* leak = malloc((size_t)o->leak_kib * 1024);
      if (leak) memset(leak, 1, (size_t)o->leak_kib * 1024);
    }
    pthread_t thread;
    if (o->leak_threads && pthread_create(&thread, NULL, idle_forever, NULL) == 0) pthread_detach(thread);
  }
  static char echo[BUFFER_SIZE];
  if (o->echo_size && echo[0] == '\0') memset(echo, 'x', sizeof echo - 1);
  const char* body = status == 200 ? "ok\n" : "error\n";
  size_t length = strlen(body);
  if (o->echo_size && status == 200) body = echo, length = request_body;
  char reply[256];
  const int close_it = strcasestr(request, "connection: close") != NULL;
  const int size = snprintf(reply, sizeof reply, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nContent-Type: text/plain\r\n%s\r\n",
                            status, status == 200 ? "OK" : "Error", length, close_it ? "Connection: close\r\n" : "");
  if (send(fd, reply, (size_t)size, MSG_NOSIGNAL | MSG_MORE) != size) return -1;
  if (length > 0 && send(fd, body, length, MSG_NOSIGNAL) != (ssize_t)length) return -1;
  return close_it ? -1 : 0;
}

// The Content-Length of the request whose headers end at `end`; 0 without one.
static size_t body_length(const char* request, const char* end) {
  const char* field = strcasestr(request, "\r\ncontent-length:");
  return field != NULL && field < end ? (size_t)strtoul(field + 17, NULL, 10) : 0;
}

// Reads what a client sent and answers every complete request in it; -1 when it is done.
static int serve_client(struct client* c, const struct options* o, long* served) {
  const ssize_t n = recv(c->fd, c->buffer + c->used, sizeof c->buffer - 1 - c->used, 0);
  if (n <= 0) return -1;
  c->used += (size_t)n;
  c->buffer[c->used] = '\0';
  char* end;
  while ((end = strstr(c->buffer, "\r\n\r\n")) != NULL) {
    const size_t body = body_length(c->buffer, end);
    const size_t consumed = (size_t)(end + 4 - c->buffer) + body;
    if (consumed > c->used) break;  // the body is still coming
    *end = '\0';
    if (answer(c->fd, c->buffer, body, o, served) != 0) return -1;
    memmove(c->buffer, c->buffer + consumed, c->used - consumed + 1);
    c->used -= consumed;
  }
  return c->used >= sizeof c->buffer - 1 ? -1 : 0;  // a request too long to buffer
}

int main(int argc, char** argv) {
  struct options o;
  if (parse_options(argc, argv, &o) != 0) return 2;
  if (o.ignore_term) signal(SIGTERM, SIG_IGN);
  if (o.daemon) start_daemon();
  if (o.crash_code >= 0) {
    fprintf(stderr, "pc_http: crashing at start as asked (exit %d)\n", o.crash_code);
    return o.crash_code;
  }
  if (o.start_delay_ms > 0) sleep_ms(o.start_delay_ms);
  int port = o.port + o.bind_offset;
  const int listener = listen_on(&port, o.bind_offset != 0 ? 50 : 1);
  printf("listening on 127.0.0.1:%d\n", port);
  fflush(stdout);
  static struct client clients[MAX_CLIENTS];
  struct pollfd fds[MAX_CLIENTS + 1];
  int count = 0;
  long served = 0;
  for (;;) {
    fds[0].fd = listener;
    fds[0].events = count < MAX_CLIENTS ? POLLIN : 0;
    for (int i = 0; i < count; ++i) fds[i + 1] = (struct pollfd){clients[i].fd, POLLIN, 0};
    if (poll(fds, (nfds_t)count + 1, -1) < 0) continue;
    for (int i = count - 1; i >= 0; --i) {
      if (fds[i + 1].revents == 0 || serve_client(&clients[i], &o, &served) == 0) continue;
      close(clients[i].fd);
      clients[i] = clients[--count];
    }
    if (fds[0].revents & POLLIN) {
      const int fd = accept(listener, NULL, NULL);
      if (fd >= 0) clients[count++] = (struct client){fd, 0, {0}};
    }
  }
}
