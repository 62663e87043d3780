#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""A real PostgreSQL server of the tests' own, in one folder DIR: a fresh `initdb` in DIR/data,
listening only on a Unix socket in DIR/socket, its log in DIR/log/postgresql.log, and a libpq URI
of its `postgres` database in DIR/uri.

    pg_server.py start DIR            a fresh server (or the one already running in DIR)
    pg_server.py stop DIR [--clean]   stop -m fast, then immediate; --clean removes DIR
    pg_server.py restart DIR          stop -m immediate and start the same data on the same port
    pg_server.py createdb DIR NAME    prints the URI of a fresh, empty database NAME

Exit 0 on success, 1 on failure, 77 (CTest's SKIP_RETURN_CODE) when the server binaries are
absent. PostgreSQL refuses to run as root: as root the server runs as `postgres` (or `nobody`),
and owns DIR/data, DIR/socket and DIR/log. Nothing started here holds the caller's stdout or
stderr (CTest waits for those pipes to close): pg_ctl writes to DIR/log/pg_ctl.log.
PERFCHECK_PG_BINDIR names the folder of the binaries instead of the usual places.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from marked_processes import live_processes  # noqa: E402  (tests/cli: the shared process scan)

USER = "perfcheck"
MISSING = "PostgreSQL server binaries not found (install postgresql-15: tools/setup.sh)"
TOOLS = ("initdb", "pg_ctl", "postgres", "pg_isready", "psql")
READY_SECONDS = 60
SOCKET_PATH_MAX = 107  # sun_path is 108 bytes with the terminating NUL


class Unavailable(RuntimeError):
    """The server binaries are absent: the tests that need a server are skipped (exit 77)."""


class ServerError(RuntimeError):
    """The server could not be set up, started, stopped or queried; the message says why."""


def find_binaries():
    """{tool: path} for initdb, pg_ctl, postgres, pg_isready and psql from PERFCHECK_PG_BINDIR,
    else /usr/lib/postgresql/15/bin, else the newest /usr/lib/postgresql/*/bin; None if absent."""
    override = os.environ.get("PERFCHECK_PG_BINDIR")
    if override:
        candidates = [override]
    else:
        root = "/usr/lib/postgresql"
        versions = sorted((v for v in os.listdir(root) if v.isdigit()), key=int, reverse=True) \
            if os.path.isdir(root) else []
        candidates = [f"{root}/15/bin"] + [f"{root}/{v}/bin" for v in versions]
    for bindir in candidates:
        paths = {tool: os.path.join(bindir, tool) for tool in TOOLS}
        if all(os.access(p, os.X_OK) for p in paths.values()):
            return paths
    return None


def _binaries():
    found = find_binaries()
    if found is None:
        raise Unavailable(MISSING)
    return found


def _paths(dir):
    dir = os.path.abspath(dir)
    return {"dir": dir, "data": f"{dir}/data", "socket": f"{dir}/socket", "log": f"{dir}/log",
            "uri": f"{dir}/uri", "port": f"{dir}/port"}


def _server_user():
    """(uid, gid) to run the server as: ourselves, or postgres/nobody when we are root."""
    if os.geteuid() != 0:
        return os.geteuid(), os.getegid()
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
        except KeyError:
            continue
    raise ServerError("running as root, and neither user 'postgres' nor 'nobody' exists to run "
                      "the PostgreSQL server: create one (useradd --system postgres)")


def _as_server_user(argv):
    uid, gid = _server_user()
    if uid == os.geteuid():
        return list(argv)
    setpriv = shutil.which("setpriv")
    if setpriv:
        return [setpriv, f"--reuid={uid}", f"--regid={gid}", "--init-groups", "--", *argv]
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", pwd.getpwuid(uid).pw_name, "--", *argv]
    raise ServerError("running as root, and neither setpriv nor runuser (util-linux) is there to "
                      "run the PostgreSQL server as an unprivileged user: install util-linux")


def _run_tool(p, argv, log_name, timeout=120):
    """Runs a PostgreSQL tool as the server user with no inherited stdio: its output goes to
    DIR/log/<log_name>. Returns the CompletedProcess."""
    with open(os.path.join(p["log"], log_name), "ab") as out:
        out.write(f"\n$ {' '.join(argv)}\n".encode())
        out.flush()
        return subprocess.run(_as_server_user(argv), stdin=subprocess.DEVNULL, stdout=out,
                              stderr=subprocess.STDOUT, cwd=p["dir"], start_new_session=True,
                              timeout=timeout, check=False)


def _tail(path, lines=20):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"(no log: {e})"


def _free_port():
    """A TCP port number free on 127.0.0.1 now; used only as the Unix socket's suffix, so two
    servers started at once do not share a lock file name."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port(dir):
    p = _paths(dir)
    try:
        with open(p["port"]) as f:
            return int(f.read().strip())
    except (OSError, ValueError) as e:
        raise ServerError(f"{p['port']}: no port recorded ({e}): start the server first "
                          f"(pg_server.py start {p['dir']})") from None


def uri(dir, dbname="postgres"):
    """The libpq URI of database dbname on the server in dir (Unix socket, user perfcheck)."""
    p = _paths(dir)
    query = urllib.parse.urlencode({"host": p["socket"], "port": _port(dir), "user": USER},
                                   quote_via=urllib.parse.quote, safe="/")
    return f"postgresql:///{urllib.parse.quote(dbname)}?{query}"


def _prepare_folders(p):
    """DIR/data, DIR/socket and DIR/log owned by the server user, and DIR passable by it."""
    uid, gid = _server_user()
    os.makedirs(p["dir"], exist_ok=True)
    if uid != os.geteuid():
        os.chmod(p["dir"], os.stat(p["dir"]).st_mode | 0o711)
    if os.path.exists(p["data"]):
        shutil.rmtree(p["data"])
    # The server wants its data private; any local client may reach the socket and read the logs.
    for name, mode in (("data", 0o700), ("socket", 0o755), ("log", 0o755)):
        os.makedirs(p[name], exist_ok=True)
        os.chown(p[name], uid, gid)
        os.chmod(p[name], mode)
    probe = subprocess.run(_as_server_user(["test", "-w", p["data"], "-a", "-w", p["log"]]),
                           stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if probe.returncode != 0:
        raise ServerError(f"{p['data']}: the server user (uid {uid}) cannot write there: every "
                          f"folder above {p['dir']} must be searchable by it (chmod o+x), or "
                          f"choose a DIR elsewhere")


def _check_socket_path(p, port):
    socket_path = f"{p['socket']}/.s.PGSQL.{port}"
    if len(socket_path.encode()) > SOCKET_PATH_MAX:
        raise ServerError(f"{p['dir']}: the socket path {socket_path} is {len(socket_path)} bytes, "
                          f"more than the {SOCKET_PATH_MAX} a Unix socket allows: choose a shorter DIR")


def _write_config(p, port):
    # fsync off only risks data on an OS crash; commits still reach the kernel, so a server
    # killed or stopped -m immediate keeps them (synchronous_commit stays on for that reason).
    settings = {"listen_addresses": "''", "unix_socket_directories": f"'{p['socket']}'",
                "port": str(port), "fsync": "off", "max_connections": "100"}
    with open(f"{p['data']}/postgresql.conf", "a") as f:
        f.write("\n# written by tests/pg/pg_server.py\n")
        f.writelines(f"{k} = {v}\n" for k, v in settings.items())
    with open(p["port"], "w") as f:
        f.write(f"{port}\n")


def is_running(dir):
    """True when the server of dir's data folder runs (pg_ctl status)."""
    p = _paths(dir)
    if not os.path.exists(f"{p['data']}/postmaster.pid"):
        return False
    status = subprocess.run(_as_server_user([_binaries()["pg_ctl"], "status", "-D", p["data"]]),
                            stdin=subprocess.DEVNULL, capture_output=True, cwd=p["dir"], check=False)
    return status.returncode == 0


def server_processes(dir):
    """Pids of the live processes of dir's server: the postmaster and its children all work in
    DIR/data (their /proc/<pid>/cwd)."""
    data = _paths(dir)["data"]
    return live_processes(lambda pid: os.readlink(f"/proc/{pid}/cwd") == data)


def _pg_ctl_start(p):
    bins = _binaries()
    log = f"{p['log']}/postgresql.log"
    result = _run_tool(p, [bins["pg_ctl"], "start", "-D", p["data"], "-l", log, "-w",
                           "-t", str(READY_SECONDS)], "pg_ctl.log", timeout=READY_SECONDS + 30)
    if result.returncode != 0:
        raise ServerError(f"{p['dir']}: pg_ctl start failed (exit {result.returncode}); the end "
                          f"of {log}:\n{_tail(log)}\nand of {p['log']}/pg_ctl.log:\n"
                          f"{_tail(p['log'] + '/pg_ctl.log')}")
    _wait_ready(p, log)


def _wait_ready(p, log):
    bins = _binaries()
    deadline = time.monotonic() + READY_SECONDS
    while True:
        ready = subprocess.run([bins["pg_isready"], "-q",
                                "-h", p["socket"], "-p", str(_port(p["dir"])), "-U", USER,
                                "-d", "postgres"], stdin=subprocess.DEVNULL,
                               capture_output=True, check=False)
        if ready.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise ServerError(f"{p['dir']}: the server was not ready after {READY_SECONDS} s "
                              f"(pg_isready exit {ready.returncode}); the end of {log}:\n{_tail(log)}")
        time.sleep(0.1)


def start(dir):
    """Starts a fresh server in dir (initdb into dir/data), or reuses the one running there.
    Writes dir/uri; returns the URI of the postgres database. Raises Unavailable or ServerError."""
    p = _paths(dir)
    bins = _binaries()
    if is_running(dir):
        print(f"pg_server: a server already runs in {p['data']}: reusing it")
        return _write_uri(p)
    if server_processes(dir):
        stop(dir)
    port = _free_port()
    _check_socket_path(p, port)
    _prepare_folders(p)
    old_log = f"{p['log']}/postgresql.log"
    if os.path.exists(old_log):
        os.replace(old_log, f"{old_log}.old")
    init = _run_tool(p, [bins["initdb"], "-D", p["data"], "-U", USER, "--auth=trust",
                         "--locale=C", "-E", "UTF8", "--no-sync"], "initdb.log")
    if init.returncode != 0:
        raise ServerError(f"{p['data']}: initdb failed (exit {init.returncode}); the end of "
                          f"{p['log']}/initdb.log:\n{_tail(p['log'] + '/initdb.log')}")
    _write_config(p, port)
    _pg_ctl_start(p)
    return _write_uri(p)


def _write_uri(p):
    value = uri(p["dir"])
    with open(p["uri"], "w") as f:
        f.write(value + "\n")
    return value


def _pg_ctl_stop(p, mode):
    result = _run_tool(p, [_binaries()["pg_ctl"], "stop", "-D", p["data"], "-m", mode, "-w",
                           "-t", "30"], "pg_ctl.log", timeout=60)
    return result.returncode == 0


def stop(dir, mode="fast", clean=False):
    """Stops dir's server (pg_ctl stop -m mode, then -m immediate, then SIGKILL); returns False
    when none ran. clean removes dir afterwards; otherwise data and logs stay for debugging."""
    p = _paths(dir)
    ran = bool(server_processes(dir))
    if os.path.exists(f"{p['data']}/postmaster.pid"):
        if not _pg_ctl_stop(p, mode) and mode != "immediate":
            _pg_ctl_stop(p, "immediate")
    survivors = server_processes(dir)
    for pid in survivors:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while server_processes(dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    if server_processes(dir):
        raise ServerError(f"{p['data']}: server processes {server_processes(dir)} survived "
                          f"pg_ctl stop and SIGKILL")
    if clean and os.path.isdir(p["dir"]):
        shutil.rmtree(p["dir"])
    return ran


def restart(dir):
    """Stops dir's server abruptly (-m immediate, as a crash would) and starts the same data on
    the same port; committed data survives. Returns the URI of the postgres database."""
    p = _paths(dir)
    _binaries()
    if not os.path.exists(f"{p['data']}/PG_VERSION"):
        raise ServerError(f"{p['data']}: no data folder to restart: start a server first "
                          f"(pg_server.py start {p['dir']})")
    stop(dir, mode="immediate")
    _pg_ctl_start(p)
    return _write_uri(p)


def psql(dir_or_uri, sql, check=True):
    """Runs sql (one or more statements, each its own transaction) with psql -X -A -t
    -v ON_ERROR_STOP=1 against a URI, or the postgres database of a server folder; returns
    stdout. Raises ServerError with psql's stderr when it fails and check is true."""
    bins = _binaries()
    target = uri(dir_or_uri) if os.path.isdir(dir_or_uri) else dir_or_uri
    result = subprocess.run([bins["psql"], "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                             "-d", target], input=sql, capture_output=True, text=True,
                            timeout=120, check=False)
    if result.returncode != 0 and check:
        raise ServerError(f"psql {target} failed (exit {result.returncode}): "
                          f"{result.stderr.strip()}\nSQL: {sql}")
    return result.stdout


def fresh_database(dir, name):
    """Creates an empty database name (dropped first if it exists) on dir's server; returns its
    URI. name is 1 to 63 characters of [a-z0-9_]."""
    if not name or len(name) > 63 or any(c not in "abcdefghijklmnopqrstuvwxyz0123456789_" for c in name):
        raise ServerError(f"database name {name!r}: use 1 to 63 characters of [a-z0-9_]")
    # template0 takes no connections, so parallel CREATE DATABASE never finds its source busy.
    psql(dir, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);\n'
              f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' LOCALE \'C\';\n')
    return uri(dir, name)


def main(argv):
    usage = "usage: pg_server.py start|stop [--clean]|restart DIR | createdb DIR NAME"
    args = [a for a in argv if a != "--clean"]
    if len(args) < 2 or args[0] not in ("start", "stop", "restart", "createdb") \
            or len(args) != (3 if args[0] == "createdb" else 2) \
            or ("--clean" in argv and args[0] != "stop"):
        print(f"pg_server: {usage}", file=sys.stderr)
        return 2
    verb, dir = args[0], args[1]
    try:
        if verb == "start":
            print(f"pg_server: ready: {start(dir)}")
        elif verb == "restart":
            print(f"pg_server: restarted: {restart(dir)}")
        elif verb == "createdb":
            print(fresh_database(dir, args[2]))
        elif find_binaries() is None and not server_processes(dir):
            print(f"pg_server: no server runs in {os.path.abspath(dir)}/data ({MISSING})")
        else:
            ran = stop(dir, clean="--clean" in argv)
            print(f"pg_server: {'stopped the server' if ran else 'no server runs'} in "
                  f"{os.path.abspath(dir)}/data")
    except Unavailable as e:
        print(f"pg_server: {e}", file=sys.stderr)
        return 77
    except (ServerError, OSError, subprocess.SubprocessError) as e:
        print(f"pg_server: {verb} {dir}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
