# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT

#[=======================================================================[.rst:
PerfCheck
---------

Performance tests with thresholds, run by CTest. ``find_package(PerfCheck)`` includes this
module, and so does adding perfcheck's source tree with ``add_subdirectory`` or
``FetchContent``; either way the project can then write::

  add_perf_test(NAME sort_1m COMMAND sorter 1000000 THRESHOLDS "wall.p95 < 120ms")

and run its perf tests with ``ctest -L perf``.

.. command:: add_perf_test

  Register a performance test: a command that ``perfcheck run`` runs several times,
  measures (wall time, CPU time, peak memory) and gates on thresholds::

    add_perf_test(NAME <name>
                  COMMAND <command> [<arg>...]
                  [WORKING_DIRECTORY <dir>]
                  [ENVIRONMENT <VAR=value>...]
                  [WARMUP <count>]
                  [RUNS <min> [<max>]]
                  [MIN_TIME <duration>]
                  [THRESHOLDS <expression>...]
                  [METRICS <name>[:<unit>]...]
                  [METADATA <key>=<value>...]
                  [COUNT instructions]
                  [PROFILE auto|perf|callgrind]
                  [ALLOW_FAILURES]
                  [LIMITS <kind> <value>...]
                  [DURATION <duration>|ONCE]
                  [SAMPLE_INTERVAL <duration>]
                  [CPUS <cpu>...] [NICE <n>] [CLEAN_ENV] [NO_ASLR]
                  [OUTPUT_LIMIT <size>] [SHOW_OUTPUT] [SUBTRACT_OVERHEAD]
                  [PARAMETERS <name> <value>...]... [SEED <n>]
                  [CONCURRENCY <copies>...]
                  [SETUP <command> [<arg>...]]
                  [PREPARE <command> [<arg>...]]
                  [CLEANUP <command> [<arg>...]]
                  [REGRESSION <rule>...]
                  [BASELINE history|file|command]
                  [BASELINE_COMMAND <command> [<arg>...]]
                  [BASELINE_FILE <file>]
                  [ALPHA <level>]
                  [ON_INCONCLUSIVE pass|fail]
                  [LABELS <label>...]
                  [FIXTURES_REQUIRED <fixture>...]
                  [PROPERTIES <property> <value>...]
                  [PARALLEL]
                  [SERVER <name>]
                  [CLIENT wrk]
                  [LOAD <perfcheck load option>...]
    )

  The function writes one spec file (``perfcheck/spec/v1``) per test and per build
  configuration, ``${CMAKE_BINARY_DIR}/perf-specs/<name>-<config>.json`` (``<name>.json``
  when the build type is empty), with ``file(GENERATE)``, and registers a CTest test
  ``<name>`` that runs ``PerfCheck::perfcheck run --spec <that file>``. Every string
  goes through generator expression evaluation, so ``$<TARGET_FILE:tool>`` and
  ``$<CONFIG>`` work in ``COMMAND``, ``WORKING_DIRECTORY``, ``ENVIRONMENT`` and even
  ``THRESHOLDS`` (``"wall.p95 < $<IF:$<CONFIG:Debug>,1s,100ms>"``), ``REGRESSION``,
  ``BASELINE_COMMAND`` and ``BASELINE_FILE``; not in the values CMake needs at configure
  time (``RUNS``, ``WARMUP``, ``MIN_TIME``, ``LIMITS``, ``DURATION`` and ``BASELINE`` for the
  CTest ``TIMEOUT``; ``SAMPLE_INTERVAL``, ``CPUS``, ``NICE``, ``ALPHA`` for the spec), which
  are checked there. Strings are JSON-escaped before evaluation; the one thing that cannot
  be escaped is a quote or backslash that a generator expression *produces* (a
  ``$<TARGET_FILE:...>`` path with a ``"`` in it): such a spec fails at build time.

  ``NAME <name>``
    Required. The CTest test name, also the name of the result file and the name in
    reports. Unique in the whole project (results are stored by name), without ``;``,
    control characters or generator expressions; ``session`` is reserved (the results
    folder keeps the session record in ``session.json``). A name with spaces or other
    characters that CTest once rejected needs policy CMP0110 (CMake 3.19) in the calling
    directory, e.g. ``cmake_minimum_required(VERSION 3.19)`` or newer.

  ``COMMAND <command> [<arg>...]``
    Required. The program and its arguments, run without a shell. When ``<command>`` is
    the name of an executable target (defined before or after this call), it is replaced
    by the target's file, as ``add_test`` does; ``$<TARGET_FILE:tool>`` says the same
    explicitly. Any other name is looked up in ``PATH`` at run time.

  ``WORKING_DIRECTORY <dir>``
    Where the command runs. Default: ``CMAKE_CURRENT_BINARY_DIR``. A relative path is
    taken from ``CMAKE_CURRENT_BINARY_DIR``.

  ``ENVIRONMENT <VAR=value>...``
    Variables set for the measured command on top of the inherited environment. Default:
    none.

  ``WARMUP <count>``
    Unmeasured runs before the measured ones, to fill caches. Default:
    :variable:`PERFCHECK_DEFAULT_WARMUP` (1).

  ``RUNS <min> [<max>]``
    Measured runs: at least ``<min>``, and past ``<min>`` up to ``<max>`` while the
    measured time is still below ``MIN_TIME`` or a regression verdict is inconclusive.
    ``<max>`` defaults to ``<min>``. Default: :variable:`PERFCHECK_DEFAULT_RUNS` (10); with
    ``REGRESSION`` rules and a one-number default, ``<max>`` is 4 x ``<min>`` (10 40), so
    that an inconclusive verdict can be decided.

  ``MIN_TIME <duration>``
    Keep running past ``<min>`` runs until the measured runs add up to this much wall
    time (or ``<max>`` runs are done), e.g. ``2s``. Units: ``ns us ms s min h``.
    Default: ``0s``.

  ``THRESHOLDS <expression>...``
    Gates, ``<metric>.<statistic> <op> <value><unit>``: ``"wall.p95 < 120ms"``,
    ``"rss.max <= 64MiB"``, ``"exit.failures == 0"``. A threshold that does not hold makes
    the test fail. Default: none (the test then fails only when the command fails).
    Expressions are checked at build time: the ``perfcheck_validate_specs`` target (part
    of ``all``) runs ``perfcheck validate`` over every spec, so a typo fails the build
    with the test name and the expression.

  ``ALLOW_FAILURES``
    Measure runs that exit non-zero or crash instead of stopping the test as an error
    (exit code 3), so that a threshold such as ``"exit.failures <= 2"`` gates them.
    Default: off, the first failed run ends the test.

  ``LIMITS <kind> <value>...``
    Per-run resource limits, in pairs: ``MEMORY`` (resident memory of the whole process
    tree, e.g. ``256MiB``), ``CPU_TIME`` (user + system time of the tree, e.g. ``30s``),
    ``TIMEOUT`` (wall time of one run), ``PROCESSES`` (live processes at once),
    ``OPEN_FILES`` (descriptors per process), ``FILE_SIZE`` (largest file written) and
    ``OUTPUT`` (captured stdout + stderr bytes): ``LIMITS MEMORY 256MiB TIMEOUT 5s``. A run
    that goes over is stopped (SIGTERM, SIGKILL after 500 ms, the whole tree) and the test
    fails with a reason such as ``run 3 exceeded MEMORY 256 MiB (tree at 262 MiB when
    stopped)``. Values are checked at build time with the thresholds. The baseline command
    runs under the same limits. Mechanisms and trade-offs: ``docs/limits.md``. Default:
    none.

  ``DURATION <duration>|ONCE``
    A soak test: repeat measured runs (after ``WARMUP``) until their run time adds up to
    ``<duration>`` (e.g. ``5min``), instead of ``RUNS``; or ``ONCE``: one long run, without
    warm-up, sampled throughout. Either way the result carries the memory growth
    (Theil-Sen slope, Mann-Kendall test) for the gates ``rss.growth`` and ``rss.slope``,
    and over repeated runs the run-time drift, ``wall.drift``. In a sweep (``PARAMETERS``,
    ``CONCURRENCY``) the duration is each level's: every level runs (rounds of copies at a
    concurrency level) until it has been measured that long, the levels interleaved, and gets
    its own trends, so the test takes about levels times the duration; ``ONCE`` is refused at
    concurrency levels. Default: none.

  ``SAMPLE_INTERVAL <duration>``
    How often the process tree is sampled (tree RSS, memory timeline, the sampled limits);
    ``0`` turns the sampler off unless a limit needs it. Default: ``10ms``.

  ``CPUS <cpu>...``
    Pin the command to these CPUs, e.g. ``CPUS 2 3`` or ``CPUS 0-1``. Default: no pinning.

  ``NICE <n>``
    The command's nice value, -20 to 19. Default: inherited.

  ``CLEAN_ENV``
    Run the command with only ``PATH`` and the ``ENVIRONMENT`` entries, not the inherited
    environment. Default: inherited.

  ``NO_ASLR``
    Turn off address space layout randomisation for the command (``personality``), for
    run-to-run steadiness. Default: on, as the system has it.

  ``OUTPUT_LIMIT <size>``
    Captured output kept per stream and run in ``PERFCHECK_RESULTS_DIR``, e.g. ``4MiB``; the
    rest is counted and dropped (the ``OUTPUT`` limit stops the run instead). Default:
    ``1MiB``.

  ``SHOW_OUTPUT``
    Let the command's stdout and stderr through to the CTest log instead of capturing them.
    Default: off (captured; the last run's output kept as ``<name>.stdout``/``.stderr``).

  ``SUBTRACT_OVERHEAD``
    Subtract perfcheck's measured launch overhead from every wall time (the result says
    so). Default: off.

  ``PARAMETERS <name> <value>...``
    A parameter sweep: the test measures one point per level, every combination of the
    parameters' values (repeat ``PARAMETERS`` for each parameter; the first varies slowest).
    A value is a word or number, or a range: ``A..B*F`` is geometric (``10..1000*10`` is 10,
    100, 1000), ``A..B+S`` linear (``0..100+25`` is 0, 25, 50, 75, 100). ``{<name>}`` in
    ``COMMAND``, ``WORKING_DIRECTORY`` or an ``ENVIRONMENT`` value is replaced by the level's
    value (``{{`` is a literal brace), and ``PERFCHECK_PARAM_<NAME>`` carries it. Levels run
    interleaved, round by round in a random order (``SEED <n>`` fixes it). At most 1000
    levels; duplicate values, empty values and placeholders that name no parameter are
    errors at build time. Thresholds address a level (``"wall.p95@n=500 < 3s"``) or, without
    ``@``, every level; gates across the levels bound the growth (``"cpu.median ~ O(n)"``) or
    find the breaking point (``"breaking_point(wall.p99 < 200ms) >= 20"``). Default: none (one
    point). See docs/sweeps.md.

  ``METRICS <name>[:<unit>]...``
    Metrics the command reports about itself through the metric channel
    (``PERFCHECK_METRICS``, docs/metrics.md), declared so that ``THRESHOLDS`` and
    ``REGRESSION`` may name them: ``METRICS startup:ms cache_hit_rate:% pairs`` then
    ``"startup.median < 500ms"``, ``"cache_hit_rate.median >= 75%"``, ``"pairs.rate >= 333/s"``.
    A unit fixes the kind a threshold's limit must have; a name perfcheck measures itself
    (``wall``, ``rss``, ``io``...) is an error at build time. A gate on a declared metric that
    the command did not report is ``not measured`` and fails. Default: none.

  ``METADATA <key>=<value>...``
    Key/value pairs recorded with every result of the test, in the history and the reports
    (``METADATA endpoint=/api/v1 dataset=small``); the command can add its own with
    ``#meta key=value`` lines on the metric channel. Default: none.

  ``COUNT instructions``
    Count the instructions every run's whole process tree executes, the metric
    ``instructions`` (``"instructions < 5M"``, ``REGRESSION "instructions.median +0.5%"``,
    ``"instructions.median ~ O(n)"``): by hardware counters (``perf stat``) where the CPU has
    them, else by valgrind (``PERFCHECK_COUNT_SOURCE`` forces one). The source is recorded
    (``instructions.source``); counted runs get a clean environment (``PATH`` and
    ``ENVIRONMENT`` only) and address randomization off. A counted test gates instructions,
    not the time or memory of its (valgrind: ~50x slower) runs. Where nothing counts, its gates
    on instructions are ``skipped`` and CTest reports the test skipped (``SKIP_RETURN_CODE``).
    Default: nothing counted. See docs/instructions.md.

  ``PROFILE auto|perf|callgrind``
    When the test fails a gate or regresses, run its command once more under a profiler,
    and a ``BASELINE_COMMAND`` too: ``perf`` (``perf record`` on the ``cpu-clock`` software
    event, which works without hardware counters), ``callgrind`` (valgrind), or ``auto``
    (perf where ``perf_event_paranoid`` lets it, else callgrind). perfcheck keeps the folded
    stacks, draws flame graphs as SVG (a differential one against the baseline command) and
    the table of the functions whose share grew most, next to the result; CTest attaches them
    to the failed test (``ATTACHED_FILES_ON_FAIL``). A passing test is not profiled. The CTest
    ``TIMEOUT`` grows by the profiled runs. Default: no profile. See docs/profiles.md.

  ``CONCURRENCY <copies>...``
    Concurrency levels (whole numbers from 1 to 1000, each once): at each, that many copies of
    the command start together, and each round of copies counts as one run of ``RUNS`` and
    ``MIN_TIME``. A level named ``concurrency`` (``"wall.p95@concurrency=16 < 200ms"``, or
    ``@16`` without ``PARAMETERS``), combined with the parameters. ``{instance}`` in
    ``COMMAND`` or an ``ENVIRONMENT`` value and ``PERFCHECK_INSTANCE`` give each copy its number,
    0 to N-1. Adds the metrics ``throughput``, ``errors.rate``, ``errors.count``,
    ``efficiency`` (with level 1) and ``rss.total``; with ``ALLOW_FAILURES`` a failing copy is
    an error they count instead of a failed test. Default: none. See docs/sweeps.md.

  ``REGRESSION <rule>...``
    Regression rules against the baseline, ``<metric>.<statistic> <limit>%``: the statistic
    is ``median``, ``mean``, ``p90``, ``p95`` or ``p99``; ``+5%`` tolerates a slowdown up to
    5%, ``-40%`` requires the candidate to be at least 40% faster (lower) than the baseline:
    ``"wall.median +5%"``, ``"wall.p95 +10%"``, ``"wall.median -40%"``; ``@<level>`` after the
    statistic limits a rule to one level of a sweep (``"wall.median@n=500 +5%"``). The test is
    ``regressed`` (and fails) only when the change is significant (p < ``ALPHA`` after
    Holm's correction over the rules) and its whole interval lies beyond the limit; while the
    interval straddles the limit the runner measures more runs, up to ``RUNS`` max, and an
    undecided change beyond the limit is reported as a possible regression. A rule that the
    test's runs could never decide (too few ``RUNS`` against a baseline command, ``DURATION
    ONCE`` against anything but one median rule on a history, a ``p99`` against a history)
    fails the build with the runs it needs: it could never fail. Default: none.

  ``BASELINE history|file|command``
    What the rules compare with. ``history``: the most recent accepted results in
    :variable:`PERFCHECK_HISTORY` (same test, command and machine; on a branch other than
    :variable:`PERFCHECK_DEFAULT_BRANCH`, that branch's results at or before the merge base).
    A result that regressed or failed does not join that baseline until it is accepted
    (``perf_accept``), so a lasting slowdown keeps failing. ``file``: a reviewed
    ``perfcheck/baseline/v1`` file (``BASELINE_FILE``). ``command``: ``BASELINE_COMMAND`` run interleaved with the
    candidate in random ABAB order, the strongest comparison on a shared machine.
    Default: ``history``.

  ``SETUP <command> [<arg>...]``
    An unmeasured program run once before the test's first run, e.g. to create a data set or
    start a service. In a sweep it runs once per level, before that level's first run, when it
    or ``CLEANUP`` uses a level placeholder (``{n}``) or ``WORKING_DIRECTORY`` does; otherwise
    once per test. It runs without a shell in the test's ``WORKING_DIRECTORY`` and
    ``ENVIRONMENT`` (with ``PERFCHECK_PARAM_<NAME>`` per level), under the test's ``LIMITS``
    (a ``TIMEOUT``, else 10 minutes). A failure (not found, non-zero exit, a signal, a limit)
    makes the result an ``error`` naming it, its exit status and the end of its output
    (exit 3). A target name as the program becomes the target's file. Default: none.

  ``PREPARE <command> [<arg>...]``
    An unmeasured program run before every run, warm-ups and ``BASELINE_COMMAND`` runs
    included, like hyperfine's ``--prepare``: e.g. to empty a cache for a cold-cache variant.
    Runs are then never pipelined. Same rules as ``SETUP``; it always sees its level's
    placeholders. Default: none.

  ``CLEANUP <command> [<arg>...]``
    An unmeasured program run once after the test's (or the level's) last run, also when a run
    failed or a limit stopped the test: whenever ``SETUP`` succeeded. A failing ``CLEANUP``
    makes the result an ``error``. Default: none. See ``docs/setup.md``.

  ``BASELINE_COMMAND <command> [<arg>...]``
    The baseline program for ``BASELINE command``, e.g. the same tool built from the target
    branch. As in ``COMMAND``, a target name as the program becomes the target's file, and
    generator expressions work. Default: none.

  ``BASELINE_FILE <file>``
    The baseline file for ``BASELINE file``. Default: :variable:`PERFCHECK_BASELINE_FILE`.

  ``ALPHA <level>``
    Significance level of the regression rules. Default: ``0.01``.

  ``ON_INCONCLUSIVE pass|fail``
    Whether a regression verdict that stays ``inconclusive`` at ``RUNS`` max fails the test.
    Default: ``pass`` (with a warning in the output).

  ``LABELS <label>...``
    CTest labels added to ``perf``, which every perf test carries. Default: ``perf`` only.

  ``FIXTURES_REQUIRED <fixture>...``
    CTest fixtures added to ``perfcheck_session``, which every perf test requires.
    Default: ``perfcheck_session`` only.

  ``PROPERTIES <property> <value>...``
    Further CTest test properties, set after the defaults, so they override them; e.g.
    ``PROPERTIES TIMEOUT 600 COST 10``. The words ``LABELS``, ``FIXTURES_REQUIRED``,
    ``ENVIRONMENT`` and ``WORKING_DIRECTORY`` always start the keywords above, also after
    ``PROPERTIES``: labels and fixtures are then added to ``perf`` and
    ``perfcheck_session``, and the environment and folder are those of the measured command.
    ``PROPERTIES WILL_FAIL TRUE`` is also written into the spec, so that the session line and
    the reports count the test's failing verdict as an expected failure, not as failed (a
    ``set_tests_properties`` after ``add_perf_test`` is not seen by perfcheck).

  ``PARALLEL``
    Let CTest run this test beside others (``ctest -j``). Default: the test has
    ``RUN_SERIAL``, because a perf test measured next to another measures both.

  ``SERVER <name>``
    The test needs the server under test ``<name>`` (:command:`add_perf_server`, declared
    before): it requires the server's fixture, so CTest starts the server before the test and
    stops it after the last test that names it. ``{port}`` in ``COMMAND``,
    ``WORKING_DIRECTORY`` and ``ENVIRONMENT`` values is the server's port, also given as
    ``PERFCHECK_SERVER_PORT`` and ``PERFCHECK_SERVER_<NAME>_PORT``; they are set when the test
    runs, so the history series does not change with ``PORT auto``. Default: none.

  ``CLIENT wrk``
    The command is ``wrk`` and perfcheck reads the summary it prints after every run into the
    load metrics: ``latency.p50``, ``latency.p75``, ``latency.p90``, ``latency.p99`` (with wrk's
    ``--latency``), ``latency.max``, ``latency.mean``, ``throughput``, ``requests``,
    ``errors.count``, ``errors.rate`` and ``transfer`` (``THRESHOLDS "latency.p99 < 20ms"
    "errors.rate == 0%"``); output that does not read as wrk's summary is an ``error`` result.
    Default: none (the command's output is not read; a client of your own reports through the
    metric channel).
  ``LOAD <option>...``
    The test's workload is perfcheck's own HTTP/1.1 load generator instead of a ``COMMAND``:
    the options of ``perfcheck load`` (``--url http://127.0.0.1:{port}/path``, ``--rate 200/s``
    or ``--connections 8``, ``--duration 10s`` or ``--requests 1000``, or ``--stages
    "10s:50/s 5s:1000/s 30s:50/s"`` (the open model at each rate in turn, each stage a level
    ``stage=1`` ... of the result; a malformed stage is a configure error), ``--method``,
    ``--header``, ``--body``, ``--body-file`` (several files: cycled, request by request),
    ``--expect-status``, ``--expect-body``, ``--expect-size``, ``--timeout``, ``--allow-host``), with ``{port}`` the port of the ``SERVER``. The build
    (target ``perfcheck_check_<test>``, part of ``all``) runs ``perfcheck load --check`` over
    the options and thresholds, so a bad URL, a host that is not loopback without
    ``--allow-host``, a rate of 0 or a missing ``--body-file`` fails the build naming the test.
    It takes ``THRESHOLDS`` on
    ``latency``, ``service``, ``lag``, ``throughput``, ``errors.*`` and ``dropped``, ``LABELS``,
    ``FIXTURES_REQUIRED``, ``PROPERTIES`` and ``PARALLEL``; a keyword about runs (``COMMAND``,
    ``RUNS``, ``CONCURRENCY`` ...) is an error. Its ``TIMEOUT`` is 600 s (the stages' time and
    two minutes when that is longer) unless ``PROPERTIES`` sets one. See ``docs/load.md``. Default: none (a ``COMMAND`` test).

  The test also gets a CTest ``TIMEOUT`` (seconds, rounded up) from its plan::

    TIMEOUT = 60 + levels * (sides * (WARMUP + max runs) * budget + 2 * MIN_TIME + hooks * hook budget)
    budget  = LIMITS TIMEOUT + 1s, or 10s without it; 50 times that with COUNT (valgrind may count)
    sides   = 2 with BASELINE command and REGRESSION rules (the baseline runs as often), else 1;
              doubled with PREPARE (it runs before every run)
    levels  = the number of levels (the product of the PARAMETERS' value counts and the
              CONCURRENCY count; a range of whole numbers counted exactly, another range as 50)
    hooks   = how many of SETUP and CLEANUP the test has; hook budget = LIMITS TIMEOUT + 1s,
              else 600 s (perfcheck's own bound on a hook)

  that is, a minute for perfcheck itself and a budget per run. With ``PROFILE``, the profiled
  runs are added: ``sides * budget * 3`` for perf, ``* 50`` for callgrind and auto (sides 2
  with ``BASELINE command``). With ``DURATION d`` the runs
  are bounded by time instead: ``60 + sides * (WARMUP + 1) * budget + 2 * d``; with
  ``DURATION ONCE``, ``60 + sides * budget``, where the budget without ``LIMITS TIMEOUT`` is CTest's
  own default of 1500 s; in a sweep, per level, multiplied by the levels like the runs. A test whose runs take longer sets ``PROPERTIES TIMEOUT <seconds>``.

  All perf tests of a project share one CTest fixture, ``perfcheck_session``: its setup
  test ``perfcheck_session_start`` records a session id and the machine fingerprint in
  ``${PERFCHECK_RESULTS_DIR}/session.json`` and compiles every perf test's spec again (a spec
  that does not compile fails the setup, so no perf test runs), its cleanup test ``perfcheck_session_finish``
  prints the verdict counts of the session and writes its report (``index.html``,
  ``summary.md``, ``junit.xml``, ``report.json``) from :variable:`PERFCHECK_HISTORY` into
  :variable:`PERFCHECK_REPORT_DIR`, printing the path last. The target ``perf_report``
  writes the report of the latest session on demand:
  ``cmake --build <build> --target perf_report``. Both are created once, in the top-level
  directory (call ``enable_testing()`` there), so ``ctest -L perf`` and
  ``ctest -R <one test>`` both run them.

  Errors in the call itself (an unknown keyword, a missing ``NAME`` or ``COMMAND``, a
  ``NAME`` used twice, ``RUNS`` or ``WARMUP`` that are not counts, a ``MIN_TIME`` that is
  not a duration) stop the configuration with a message naming the value and the fix.
  The values CMake does not need then (threshold expressions, limit values, ``ENVIRONMENT``
  entries, ``ON_INCONCLUSIVE``, a missing ``BASELINE_COMMAND``, the range of
  ``SAMPLE_INTERVAL``) are checked when the project is built, by ``perfcheck validate``,
  whose message names the test's spec file and the field.

  Example:

  .. code-block:: cmake

    find_package(PerfCheck 0.1 REQUIRED)
    add_executable(sorter sorter.cpp)
    add_perf_test(NAME sort_1m
      COMMAND sorter 1000000
      RUNS 10 30
      MIN_TIME 2s
      THRESHOLDS "wall.p95 < 120ms" "rss.max < 64MiB"
      LABELS sort)

  then ``ctest -L perf`` (``ctest -C Release -L perf`` with a multi-config generator).

Cache variables
^^^^^^^^^^^^^^^

.. variable:: PERFCHECK_RESULTS_DIR

  Folder of the results: ``<name>.json`` (``perfcheck/result/v1``) and the captured output
  of every perf test, and the session record. Default:
  ``${CMAKE_BINARY_DIR}/perf-results``. One folder for the whole project.

.. variable:: PERFCHECK_DEFAULT_RUNS

  Measured runs of a perf test without ``RUNS``: ``<min>`` or ``<min>;<max>``.
  Default: ``10``. Lower it for a quick local pass, e.g. ``-DPERFCHECK_DEFAULT_RUNS=3``.

.. variable:: PERFCHECK_DEFAULT_WARMUP

  Warm-up runs of a perf test without ``WARMUP``. Default: ``1``.

.. variable:: PERFCHECK_HISTORY

  The history database every perf test records its result in, and that ``BASELINE history``
  reads: an SQLite file, or a PostgreSQL database shared by a fleet of CI machines
  (``postgresql://user@host/db?sslmode=...``; see ``docs/history-fleet.md``; a result that
  cannot reach the server waits in ``${PERFCHECK_RESULTS_DIR}/perfcheck-spool.sqlite``).
  Default: ``${CMAKE_BINARY_DIR}/perf-history.sqlite``; empty: no history.

.. variable:: PERFCHECK_BASELINE_FILE

  The default ``BASELINE_FILE``. Default: ``${CMAKE_SOURCE_DIR}/perf-baseline.json``.

.. variable:: PERFCHECK_REPORT_DIR

  Where the session fixture's cleanup writes the session's report after ``ctest -L perf``,
  and ``perf_report`` writes the latest one. Default: ``${CMAKE_BINARY_DIR}/perf-report``;
  empty: no report after the session (``perf_report`` then uses the default folder).

.. variable:: PERFCHECK_DEFAULT_BRANCH

  The branch whose results in :variable:`PERFCHECK_HISTORY` are the baseline of every other
  branch (``BASELINE history``), passed to the perf tests as ``PERFCHECK_DEFAULT_BRANCH``.
  Default: ``main``.

.. variable:: PERFCHECK_ACCEPT_TESTS

  The tests the target ``perf_accept`` accepts: ``cmake --build <build> --target perf_accept``
  runs ``perfcheck history accept <tests> --history <PERFCHECK_HISTORY>``, which makes each
  test's regressed or failed results (not accepted yet) the start of its new baseline. The
  environment variable of the same name, when set while building, takes its place:
  ``PERFCHECK_ACCEPT_TESTS=parse_big_json cmake --build build --target perf_accept``. Names
  are separated by ``;`` or ``,``. Default: empty (``perf_accept`` then fails and says so).
  A perf test whose result is kept out of its baseline prints this command line, with its
  name, in its CTest output; ``perfcheck session finish`` prints it for all such tests.

.. variable:: PERFCHECK_ACCEPT_SESSION

  With ``perf_accept``: accept each test's result of this session (``perfcheck history
  list`` shows the ids) instead of its pending change; the environment variable of the same
  name takes its place likewise. Default: empty.

The git commit and branch of the source tree are recorded at configure time and passed to
the perf tests as ``PERFCHECK_GIT_COMMIT`` / ``PERFCHECK_GIT_BRANCH``, unless those are set
in the environment when CMake configures (CI sets them itself). On a branch other than
:variable:`PERFCHECK_DEFAULT_BRANCH`, ``git merge-base HEAD <default>`` (else
``origin/<default>``) is passed as ``PERFCHECK_GIT_MERGE_BASE``.
#]=======================================================================]

if(CMAKE_VERSION VERSION_LESS 3.25)
  message(FATAL_ERROR "PerfCheck needs CMake 3.25 or newer; this is CMake ${CMAKE_VERSION}.")
endif()
# The functions below keep the policies of CMake 3.25, whatever the including project asks for;
# not CMP0110 (test names with spaces and other characters), which CMake checks per directory
# when it writes the test files: such names need the caller's cmake_minimum_required(VERSION 3.19).
cmake_policy(VERSION 3.25)

# This module's folder, for the files beside it. A function reads the global property: inside it,
# CMAKE_CURRENT_LIST_DIR is the caller's, and an add_subdirectory parent lacks this variable.
set(_PERFCHECK_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}")
set_property(GLOBAL PROPERTY _PERFCHECK_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}")

set(PERFCHECK_RESULTS_DIR "${CMAKE_BINARY_DIR}/perf-results" CACHE PATH
  "Folder of the perf test results (<name>.json), their captured output and session.json")
set(PERFCHECK_DEFAULT_RUNS "10" CACHE STRING
  "Measured runs of an add_perf_test without RUNS: <min> or <min>;<max>")
set(PERFCHECK_DEFAULT_WARMUP "1" CACHE STRING
  "Warm-up runs of an add_perf_test without WARMUP")
# STRING, not FILEPATH: a postgresql:// URI must not be turned into a path of the build folder.
set(PERFCHECK_HISTORY "${CMAKE_BINARY_DIR}/perf-history.sqlite" CACHE STRING
  "History the perf tests record into and BASELINE history reads (an SQLite file or postgresql://...); empty: none")
if(NOT PERFCHECK_HISTORY STREQUAL "" AND NOT PERFCHECK_HISTORY MATCHES "^[A-Za-z][A-Za-z0-9+.-]*://"
   AND NOT IS_ABSOLUTE "${PERFCHECK_HISTORY}")
  # A relative file is the build folder's (every test runs in a folder of its own).
  get_filename_component(PERFCHECK_HISTORY "${PERFCHECK_HISTORY}" ABSOLUTE BASE_DIR "${CMAKE_BINARY_DIR}")
endif()
set(PERFCHECK_BASELINE_FILE "${CMAKE_SOURCE_DIR}/perf-baseline.json" CACHE FILEPATH
  "Default BASELINE_FILE of add_perf_test (BASELINE file)")
set(PERFCHECK_REPORT_DIR "${CMAKE_BINARY_DIR}/perf-report" CACHE PATH
  "Folder the session's report is written into after ctest -L perf (and by perf_report); empty: no report after the session")

# The spec writer, and what runs once per project: the session fixture, the build-time spec
# check, perf_report and the git lookup.
include("${_PERFCHECK_MODULE_DIR}/PerfCheckSpec.cmake")
include("${_PERFCHECK_MODULE_DIR}/PerfCheckLevels.cmake")
include("${_PERFCHECK_MODULE_DIR}/PerfCheckSession.cmake")
include("${_PERFCHECK_MODULE_DIR}/PerfCheckServer.cmake")
include("${_PERFCHECK_MODULE_DIR}/PerfCheckLoad.cmake")
include("${_PERFCHECK_MODULE_DIR}/PerfCheckGbench.cmake")
include("${_PERFCHECK_MODULE_DIR}/PerfCheckProfile.cmake")

function(add_perf_test)
  set(options PARALLEL CLEAN_ENV NO_ASLR ALLOW_FAILURES SHOW_OUTPUT SUBTRACT_OVERHEAD)
  set(one_value_keywords NAME WORKING_DIRECTORY WARMUP MIN_TIME DURATION SAMPLE_INTERVAL NICE
    BASELINE BASELINE_FILE ALPHA ON_INCONCLUSIVE OUTPUT_LIMIT SEED SERVER CLIENT PROFILE)
  set(multi_value_keywords COMMAND ENVIRONMENT RUNS THRESHOLDS METRICS METADATA COUNT LIMITS CPUS
    REGRESSION BASELINE_COMMAND SETUP PREPARE CLEANUP LABELS FIXTURES_REQUIRED PROPERTIES PARAMETERS
    CONCURRENCY LOAD)
  cmake_parse_arguments(PARSE_ARGV 0 arg
    "${options}" "${one_value_keywords}" "${multi_value_keywords}")
  if(DEFINED arg_LOAD)  # the built-in load generator instead of a command (PerfCheckLoad.cmake)
    _perfcheck_load_test()
    return()
  endif()
  # PARAMETERS is repeatable: each occurrence is one parameter, so the groups come from ARGV.
  _perfcheck_parameter_groups(parameters_json "add_perf_test(NAME ${arg_NAME})"
    "${options};${one_value_keywords};${multi_value_keywords}" ${ARGV})

  # Each step reads the arg_<keyword> variables of this scope.
  _perfcheck_check_call(call)
  if(DEFINED arg_SERVER)  # its fixture; the spec carries its name (PerfCheckServer.cmake)
    _perfcheck_server_of("${call}" "${arg_SERVER}" server_fixture server_state_dir)
    list(APPEND arg_FIXTURES_REQUIRED "${server_fixture}")
  endif()
  _perfcheck_plan("${call}")
  _perfcheck_write_spec("${call}" spec_file)
  _perfcheck_register("${spec_file}" "${plan_timeout}")
  _perfcheck_join_session("${spec_file}")
endfunction()

# --- The call: every mistake in the call itself stops here, naming the value and the fix. ---
# Checks the keywords of the call and their values (a keyword that needs its value without
# one: an example shows the fix), NAME, COMMAND and PROPERTIES, and sets `out_call` to the call
# as messages show it. Reads the caller's arg_* variables and keyword lists.
function(_perfcheck_check_call out_call)
  set(call "add_perf_test(NAME ${arg_NAME})")
  if(NOT DEFINED arg_NAME)
    set(call "add_perf_test()")
  endif()
  if(DEFINED arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS "' '" unknown)
    string(REPLACE ";" "' '" keywords "${one_value_keywords};${multi_value_keywords};${options}")
    message(FATAL_ERROR "${call}: unknown argument(s) '${unknown}'. The keywords are "
      "'${keywords}'; every value follows its keyword.")
  endif()
  foreach(keyword IN LISTS arg_KEYWORDS_MISSING_VALUES)
    if(keyword IN_LIST one_value_keywords OR keyword MATCHES "^(COMMAND|RUNS|SETUP|PREPARE|CLEANUP)$")
      set(examples NAME=parse_big_json "COMMAND=my_tool --input data.json"
        "SETUP=make_data --out data.json" "PREPARE=drop_cache --dir cache" "CLEANUP=cmake -E rm -f data.json"
        "WORKING_DIRECTORY=\${CMAKE_CURRENT_SOURCE_DIR}/data" WARMUP=1 "RUNS=10 30" MIN_TIME=2s PROFILE=auto)
      list(FILTER examples INCLUDE REGEX "^${keyword}=")
      string(REPLACE "=" " " example "${examples}")
      set(or_leave_out ", or leave ${keyword} out")
      if(keyword MATCHES "^(NAME|COMMAND)$")
        set(or_leave_out " (${keyword} is required)")
      endif()
      message(FATAL_ERROR "${call}: ${keyword} is given without a value; write e.g. "
        "${example}${or_leave_out}.")
    endif()
  endforeach()
  if(NOT DEFINED arg_NAME OR arg_NAME STREQUAL "")
    message(FATAL_ERROR "add_perf_test() needs a NAME: write add_perf_test(NAME <name> "
      "COMMAND <program> [<arg>...] ...).")
  endif()
  _perfcheck_check_name("${call}" "${arg_NAME}")
  if(NOT DEFINED arg_COMMAND)
    message(FATAL_ERROR "${call}: COMMAND is missing; give the program to measure and its "
      "arguments, e.g. COMMAND my_tool --input data.json (a target name or "
      "$<TARGET_FILE:my_tool> for a program the project builds).")
  endif()
  _perfcheck_warn_swallowed_keywords("${call}" COMMAND ENVIRONMENT RUNS THRESHOLDS LABELS
    FIXTURES_REQUIRED)
  if(NOT TARGET PerfCheck::perfcheck)
    message(FATAL_ERROR "${call}: the target PerfCheck::perfcheck is not defined here; call "
      "find_package(PerfCheck) (or add perfcheck with FetchContent or add_subdirectory) in "
      "this directory or a parent before add_perf_test.")
  endif()
  get_property(names GLOBAL PROPERTY PERFCHECK_TESTS)
  if(arg_NAME IN_LIST names)
    get_property(first_dir GLOBAL PROPERTY "_PERFCHECK_DECLARED_IN_${arg_NAME}")
    message(FATAL_ERROR "${call}: a perf test named '${arg_NAME}' is already declared (in "
      "${first_dir}). Perf test names are unique in the whole project because results are "
      "stored by name; choose another NAME.")
  endif()
  _perfcheck_check_pairs("${call}" PROPERTIES "${arg_PROPERTIES}" property "TIMEOUT 600 COST 10")
  if(DEFINED arg_COUNT AND NOT arg_COUNT STREQUAL "instructions")
    message(FATAL_ERROR "${call}: COUNT '${arg_COUNT}' cannot be counted; COUNT takes instructions")
  endif()
  _perfcheck_check_profile("${call}")
  set(${out_call} "${call}" PARENT_SCOPE)
endfunction()

# Fails unless `name` can be a test name, a result file name and a list element.
function(_perfcheck_check_name call name)
  string(ASCII 1 first_control)
  string(ASCII 31 last_control)
  if(name MATCHES "[;${first_control}-${last_control}]" OR name MATCHES "\\$<")
    message(FATAL_ERROR "${call}: the NAME '${name}' has a semicolon, a control character or "
      "a generator expression; use letters, digits and punctuation such as . _ - / :")
  endif()
  if(name STREQUAL "session")
    message(FATAL_ERROR "${call}: the NAME 'session' is reserved: the results folder keeps "
      "the session record in session.json. Choose another NAME.")
  endif()
endfunction()

# Warns when a multi-value keyword swallowed a word that looks like a misspelt keyword: after
# COMMAND, "THRESHOLD x" would silently become two more arguments of the command. Reads the
# caller's arg_<keyword> variables.
function(_perfcheck_warn_swallowed_keywords call)
  set(hints
    "THRESHOLD=THRESHOLDS" "LABEL=LABELS" "FIXTURE_REQUIRED=FIXTURES_REQUIRED"
    "FIXTURES=FIXTURES_REQUIRED" "PROPERTY=PROPERTIES" "RUN=RUNS" "WARM_UP=WARMUP"
    "WORKDIR=WORKING_DIRECTORY" "ENV=ENVIRONMENT" "TIMEOUT=PROPERTIES TIMEOUT <seconds>"
    "MINTIME=MIN_TIME" "SERIAL=nothing (serial is the default, PARALLEL the opposite)")
  foreach(keyword IN LISTS ARGN)
    foreach(word IN LISTS arg_${keyword})
      foreach(hint IN LISTS hints)
        if(hint MATCHES "^([^=]+)=(.*)$" AND word STREQUAL CMAKE_MATCH_1)
          message(AUTHOR_WARNING "${call}: '${word}' is taken as a value of ${keyword}; if it "
            "was meant as a keyword, write ${CMAKE_MATCH_2}.")
        endif()
      endforeach()
    endforeach()
  endforeach()
endfunction()

# Fails unless the list `words` of `keyword` has an even number of words, <`what`> <value>
# pairs; `example` shows such pairs.
function(_perfcheck_check_pairs call keyword words what example)
  list(LENGTH words count)
  math(EXPR odd "${count} % 2")
  if(odd)
    list(JOIN words " " shown)
    message(FATAL_ERROR "${call}: ${keyword} '${shown}' has an odd number of words; it takes "
      "<${what}> <value> pairs, e.g. ${keyword} ${example}.")
  endif()
endfunction()

# --- The plan: what the CTest TIMEOUT needs, so checked at configure time. -----------------
# Fills and checks WARMUP, RUNS, MIN_TIME, the LIMITS, DURATION and BASELINE, and sets in the
# caller plan_warmup, plan_min_runs, plan_max_runs, plan_min_time (text), plan_duration (text,
# "once" or empty) and plan_timeout (the CTest TIMEOUT). Reads the caller's arg_* variables.
function(_perfcheck_plan call)
  foreach(keyword IN ITEMS WARMUP RUNS)
    set(${keyword}_origin ${keyword})
    if(NOT DEFINED arg_${keyword})
      set(arg_${keyword} "${PERFCHECK_DEFAULT_${keyword}}")
      set(${keyword}_origin PERFCHECK_DEFAULT_${keyword})
    endif()
  endforeach()
  _perfcheck_check_count("${call}" "${WARMUP_origin}" "${arg_WARMUP}" 0 1)
  _perfcheck_parse_runs("${call}" "${RUNS_origin}" "${arg_RUNS}" min_runs max_runs)
  # Without RUNS, a test with REGRESSION rules may extend to 4 x its minimum while its verdict
  # is inconclusive (perfcheck's regression_extension_factor; the same for `perfcheck run`).
  list(LENGTH arg_RUNS runs_words)
  if(RUNS_origin STREQUAL "PERFCHECK_DEFAULT_RUNS" AND runs_words EQUAL 1
      AND DEFINED arg_REGRESSION)
    math(EXPR max_runs "${min_runs} * 4")
    if(max_runs GREATER 100000)
      set(max_runs 100000)
    endif()
  endif()

  if(NOT DEFINED arg_MIN_TIME)
    set(arg_MIN_TIME "0s")
  endif()
  _perfcheck_duration_ns("${call}" MIN_TIME "${arg_MIN_TIME}" min_time_ns)
  _perfcheck_check_limits("${call}" "${arg_LIMITS}" run_timeout_ns)

  set(duration "")
  set(duration_ns 0)
  string(TOUPPER "${arg_DURATION}" duration_word)
  if(duration_word STREQUAL "ONCE")
    set(duration once)
  elseif(DEFINED arg_DURATION)
    set(duration "${arg_DURATION}")
    _perfcheck_duration_ns("${call}" DURATION "${duration}" duration_ns)
    if(duration_ns EQUAL 0)
      message(FATAL_ERROR "${call}: DURATION '${duration}' is no time at all; write e.g. "
        "DURATION 5min, or DURATION ONCE for one long run.")
    endif()
  endif()

  _perfcheck_sides("${call}" sides)
  _perfcheck_ctest_timeout(timeout "${arg_WARMUP}" "${max_runs}" "${min_time_ns}"
    "${run_timeout_ns}" "${duration}" "${duration_ns}" "${sides}")
  _perfcheck_sweep_timeout(timeout "${timeout}" "${run_timeout_ns}")
  _perfcheck_profile_timeout(timeout "${timeout}" "${run_timeout_ns}" "${sides}")
  set(plan_warmup "${arg_WARMUP}" PARENT_SCOPE)
  set(plan_min_time "${arg_MIN_TIME}" PARENT_SCOPE)
  foreach(name IN ITEMS min_runs max_runs duration timeout)
    set(plan_${name} "${${name}}" PARENT_SCOPE)
  endforeach()
endfunction()

# Fails unless `value` is a whole number >= `min`; `what` is the keyword or cache variable.
function(_perfcheck_check_count call what value min example)
  if(NOT value MATCHES "^[0-9]+$" OR value MATCHES "^[0-9]{10,}$")
    message(FATAL_ERROR "${call}: ${what} '${value}' is not a count; write a whole number "
      "such as ${what} ${example}.")
  endif()
  if(value LESS min)
    message(FATAL_ERROR "${call}: ${what} '${value}' is too small; use ${min} or more.")
  endif()
endfunction()

# RUNS <min> [<max>] into `out_min` and `out_max`.
function(_perfcheck_parse_runs call what runs out_min out_max)
  list(LENGTH runs count)
  list(JOIN runs " " shown)
  if(count EQUAL 0 OR count GREATER 2)
    message(FATAL_ERROR "${call}: ${what} '${shown}' must be one or two counts: <min> [<max>], "
      "e.g. ${what} 10 30.")
  endif()
  list(GET runs 0 min)
  list(GET runs -1 max)
  foreach(n IN ITEMS "${min}" "${max}")
    if(NOT n MATCHES "^[0-9]+$" OR n MATCHES "^[0-9]{10,}$")
      message(FATAL_ERROR "${call}: ${what} '${shown}': '${n}' is not a count; write whole "
        "numbers, e.g. ${what} 10 30 (at least 10, at most 30 measured runs).")
    endif()
  endforeach()
  if(min LESS 1)
    message(FATAL_ERROR "${call}: ${what} '${shown}': at least one measured run is needed; "
      "write e.g. ${what} 10.")
  endif()
  if(min GREATER max)
    message(FATAL_ERROR "${call}: ${what} '${shown}': the minimum (${min}) is above the maximum "
      "(${max}); write ${what} <min> <max> with min <= max.")
  endif()
  set(${out_min} "${min}" PARENT_SCOPE)
  set(${out_max} "${max}" PARENT_SCOPE)
endfunction()

# Checks LIMITS <kind> <value>...: pairs, known kinds, each kind once; sets `out_timeout_ns` to
# the TIMEOUT limit in nanoseconds (0: none) for the CTest TIMEOUT. The other values are
# checked at build time by perfcheck validate, with the rest of the spec.
function(_perfcheck_check_limits call limits out_timeout_ns)
  set(kinds MEMORY CPU_TIME TIMEOUT PROCESSES OPEN_FILES FILE_SIZE OUTPUT)
  _perfcheck_check_pairs("${call}" LIMITS "${limits}" kind "MEMORY 256MiB TIMEOUT 10s")
  set(seen "")
  set(timeout_ns 0)
  set(kind "")
  foreach(word IN LISTS limits)
    if(kind STREQUAL "")
      string(TOUPPER "${word}" kind)
      if(NOT kind IN_LIST kinds)
        list(JOIN kinds ", " known)
        message(FATAL_ERROR "${call}: LIMITS '${word}' is not a limit; the kinds are ${known}, "
          "each followed by its value, e.g. LIMITS MEMORY 256MiB.")
      endif()
      if(kind IN_LIST seen)
        message(FATAL_ERROR "${call}: LIMITS ${kind} is given twice; keep one.")
      endif()
      list(APPEND seen "${kind}")
    else()
      if(kind STREQUAL "TIMEOUT")
        _perfcheck_duration_ns("${call}" "LIMITS TIMEOUT" "${word}" timeout_ns)
      endif()
      set(kind "")
    endif()
  endforeach()
  set(${out_timeout_ns} "${timeout_ns}" PARENT_SCOPE)
endfunction()

# --- The CTest test. ------------------------------------------------------------------------
# Registers the test that runs the spec, with the labels, fixtures, `timeout` (seconds), git
# environment and RUN_SERIAL of every perf test, then the PROPERTIES; records the name as
# taken. Reads the caller's arg_* variables.
function(_perfcheck_register spec_file timeout)
  set_property(GLOBAL APPEND PROPERTY PERFCHECK_TESTS "${arg_NAME}")
  set_property(GLOBAL PROPERTY "_PERFCHECK_DECLARED_IN_${arg_NAME}" "${CMAKE_CURRENT_SOURCE_DIR}")
  if(ARGN)  # a LOAD test's own command line (PerfCheckLoad.cmake)
    add_test(NAME "${arg_NAME}" COMMAND ${ARGN})
  else()
    add_test(NAME "${arg_NAME}" COMMAND PerfCheck::perfcheck run --spec "${spec_file}")
  endif()
  set(labels perf ${arg_LABELS})
  set(fixtures perfcheck_session ${arg_FIXTURES_REQUIRED})
  set_tests_properties("${arg_NAME}" PROPERTIES
    LABELS "${labels}"
    FIXTURES_REQUIRED "${fixtures}"
    TIMEOUT "${timeout}")
  _perfcheck_git_environment(git_environment)
  if(git_environment)
    set_property(TEST "${arg_NAME}" APPEND PROPERTY ENVIRONMENT "${git_environment}")
  endif()
  if(NOT arg_PARALLEL)
    set_tests_properties("${arg_NAME}" PROPERTIES RUN_SERIAL TRUE)
  endif()
  if(DEFINED arg_SERVER)  # a failed test carries the server's logs (CTest, CDash)
    set_property(TEST "${arg_NAME}" APPEND PROPERTY ATTACHED_FILES_ON_FAIL
      "${server_state_dir}/${arg_SERVER}.err" "${server_state_dir}/${arg_SERVER}.out")
  endif()
  _perfcheck_profile_attachments()
  if(DEFINED arg_COUNT)  # nothing to count with: perfcheck exits 77, the test is skipped
    set_tests_properties("${arg_NAME}" PROPERTIES SKIP_RETURN_CODE 77)
  endif()
  # Pair by pair, so that a value keeps its semicolons (PROPERTIES REQUIRED_FILES "a;b").
  set(key "")
  foreach(word IN LISTS arg_PROPERTIES)
    if(key STREQUAL "")
      set(key "${word}")
    else()
      set_tests_properties("${arg_NAME}" PROPERTIES "${key}" "${word}")
      set(key "")
    endif()
  endforeach()
endfunction()
