# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT

#[=======================================================================[.rst:
PerfCheckGbench
---------------

Included by ``PerfCheck.cmake``. A Google Benchmark binary's benchmarks as perf tests,
discovered after every build the way ``gtest_discover_tests`` discovers GoogleTest tests.

.. command:: perfcheck_add_gbench

  Register the benchmarks of a Google Benchmark target as perf tests::

    perfcheck_add_gbench(TARGET <target>
                         [NAME_PREFIX <prefix>]
                         [FILTER <regex>]
                         [REPETITIONS <n>]
                         [WARMUP <n>]
                         [MIN_TIME <duration>]
                         [ARGS <arg>...]
                         [THRESHOLDS [<pattern>: ]<expression>...]
                         [REGRESSION [<pattern>: ]<rule>...]
                         [COUNTERS <name>[:<unit>]...]
                         [METADATA <key=value>...]
                         [ENVIRONMENT <VAR=value>...]
                         [LIMITS <kind=value>...]
                         [LABELS <label>...]
                         [WORKING_DIRECTORY <dir>]
                         [DISCOVERY_TIMEOUT <seconds>]
                         [PARALLEL]
    )

  After each build of ``<target>`` a ``POST_BUILD`` step runs ``<target> --benchmark_list_tests``
  and writes the CTest tests into a file that CTest includes (``TEST_INCLUDE_FILES``), so a new
  benchmark is a new test without running CMake again. A benchmark family whose instances differ
  only in their arguments (``BM_parse/8`` ... ``BM_parse/8192``) is *one* test with levels: the
  arguments are its parameters (``n`` for one argument, ``n0``, ``n1``, ... for several, the name
  of a named argument ``BM_x/size:8``), so the family is a series that the complexity gate checks
  (``"BM_parse: cpu.median ~ O(n)"``). Any other benchmark is a test of its own. Every test
  is labelled ``perf``, requires the session fixture and runs ``perfcheck run --spec <spec>
  --gbench <benchmark>``: one run is one repetition of the benchmark (``--benchmark_filter=^...$
  --benchmark_repetitions=1 --benchmark_out=<file> --benchmark_out_format=json``), and
  ``real_time``, ``cpu_time`` (durations per iteration), ``iterations`` and every counter are its
  metrics (docs/gbench.md).

  ``TARGET``
    The executable target that links ``benchmark::benchmark`` (required).

  ``NAME_PREFIX``
    Put before every benchmark's name to make the test's name. Default: ``<target>.``.

  ``FILTER``
    Only the benchmarks this regular expression finds (``--benchmark_filter``). Default: all.

  ``REPETITIONS``
    The measured runs of each benchmark (each level of a family), one repetition each.
    Default: ``PERFCHECK_DEFAULT_RUNS``.

  ``WARMUP``
    Unmeasured runs before them. Default: ``PERFCHECK_DEFAULT_WARMUP``.

  ``MIN_TIME``
    Google Benchmark's ``--benchmark_min_time`` for each repetition, a duration (``50ms``).
    Default: the library's (0.5 s).

  ``ARGS``
    More arguments of the binary, after perfcheck's.

  ``THRESHOLDS``, ``REGRESSION``
    Threshold expressions and regression rules, as in ``add_perf_test``. One that starts with
    ``<pattern>: `` applies only to the tests whose benchmark (the family's name without its
    arguments, or the benchmark's whole name) the glob ``<pattern>`` matches (``*`` any
    characters); the others apply to every test, and are checked at build time with the spec.

  ``COUNTERS``
    The user counters that thresholds and rules name (``items_per_second``, ``hits:%``), as
    ``METRICS`` declares them; a name of a built-in metric fails the build.

  ``METADATA``, ``ENVIRONMENT``, ``LIMITS``, ``LABELS``, ``WORKING_DIRECTORY``, ``PARALLEL``
    As in ``add_perf_test``, for every test.

  ``DISCOVERY_TIMEOUT``
    Seconds ``--benchmark_list_tests`` may take. Default: 60.

  Example::

    perfcheck_add_gbench(TARGET parser_bench REPETITIONS 10 MIN_TIME 20ms
      COUNTERS items_per_second
      THRESHOLDS "BM_parse: cpu.median ~ O(n)" "BM_tokens: items_per_second.median >= 1M/s"
      REGRESSION "real_time.median +10%")
#]=======================================================================]

function(perfcheck_add_gbench)
  set(options
    PARALLEL
  )
  set(one_value_keywords
    TARGET
    NAME_PREFIX
    FILTER
    REPETITIONS
    WARMUP
    MIN_TIME
    WORKING_DIRECTORY
    DISCOVERY_TIMEOUT
  )
  set(multi_value_keywords
    ARGS
    THRESHOLDS
    REGRESSION
    COUNTERS
    METADATA
    ENVIRONMENT
    LIMITS
    LABELS
  )
  cmake_parse_arguments(PARSE_ARGV 0 gb "${options}" "${one_value_keywords}" "${multi_value_keywords}")
  set(call "perfcheck_add_gbench(TARGET ${gb_TARGET})")
  _perfcheck_gbench_check("${call}")
  if(NOT DEFINED gb_NAME_PREFIX)
    set(gb_NAME_PREFIX "${gb_TARGET}.")
  endif()
  if(NOT DEFINED gb_DISCOVERY_TIMEOUT)
    set(gb_DISCOVERY_TIMEOUT 60)
  endif()
  _perfcheck_gbench_template("${call}" spec_file timeout)
  _perfcheck_gbench_discovery("${call}" "${spec_file}" "${timeout}")
endfunction()

# The discovery after each build: the parameters file of PerfCheckGbenchDiscover.cmake, the
# target's POST_BUILD step that runs it, and the file CTest includes (the tests once built, else
# a <prefix>NOT_BUILT test). Reads the caller's gb_* variables.
function(_perfcheck_gbench_discovery call spec_file timeout)
  set(stem "${CMAKE_CURRENT_BINARY_DIR}/${gb_TARGET}_gbench")
  set(tests_file "${stem}_tests.cmake")
  set(params_file "${stem}_params$<$<NOT:$<STREQUAL:$<CONFIG>,>>:-$<CONFIG>>.cmake")
  _perfcheck_git_environment(git_environment)
  set(serial TRUE)
  if(gb_PARALLEL)
    set(serial FALSE)
  endif()
  set(params "")
  foreach(pair IN ITEMS
      "BINARY;$<TARGET_FILE:${gb_TARGET}>" "PERFCHECK;$<TARGET_FILE:PerfCheck::perfcheck>" "SPEC;${spec_file}"
      "OUT;${tests_file}" "PREFIX;${gb_NAME_PREFIX}" "FILTER;${gb_FILTER}" "TIMEOUT;${timeout}"
      "DISCOVERY_TIMEOUT;${gb_DISCOVERY_TIMEOUT}" "RUN_SERIAL;${serial}" "CALL;${call}")
    list(POP_FRONT pair key)
    string(APPEND params "set(GB_${key} [==[${pair}]==])\n")
  endforeach()
  foreach(key IN ITEMS THRESHOLDS REGRESSION LABELS)
    string(APPEND params "set(GB_${key} [==[${gb_${key}}]==])\n")
  endforeach()
  string(APPEND params "set(GB_GIT_ENVIRONMENT [==[${git_environment}]==])\n")
  file(GENERATE OUTPUT "${params_file}" CONTENT "${params}")

  get_property(module_dir GLOBAL PROPERTY _PERFCHECK_MODULE_DIR)
  add_custom_command(TARGET "${gb_TARGET}" POST_BUILD
    COMMAND "${CMAKE_COMMAND}" "-DGB_PARAMS=${params_file}" -P "${module_dir}/PerfCheckGbenchDiscover.cmake"
    BYPRODUCTS "${tests_file}"
    VERBATIM)
  set(include_file "${stem}_include.cmake")
  file(WRITE "${include_file}"
    "if(EXISTS [==[${tests_file}]==])\n  include([==[${tests_file}]==])\n"
    "else()\n  add_test([==[${gb_NAME_PREFIX}NOT_BUILT]==] [==[${gb_TARGET}_NOT_BUILT]==])\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()

# Fails on a call perfcheck_add_gbench cannot take, naming the keyword and the fix.
function(_perfcheck_gbench_check call)
  if(DEFINED gb_UNPARSED_ARGUMENTS)
    list(JOIN gb_UNPARSED_ARGUMENTS "' '" unknown)
    string(REPLACE ";" "' '" keywords "${one_value_keywords};${multi_value_keywords};${options}")
    message(FATAL_ERROR "${call}: unknown argument(s) '${unknown}'. The keywords are '${keywords}'; "
      "every value follows its keyword.")
  endif()
  if(NOT DEFINED gb_TARGET OR NOT TARGET "${gb_TARGET}")
    message(FATAL_ERROR "${call}: TARGET must name an executable target of this project that links "
      "benchmark::benchmark, e.g. perfcheck_add_gbench(TARGET my_bench) after add_executable(my_bench ...).")
  endif()
  get_target_property(type "${gb_TARGET}" TYPE)
  if(NOT type STREQUAL "EXECUTABLE")
    message(FATAL_ERROR "${call}: '${gb_TARGET}' is a ${type}, not an executable; TARGET names the "
      "Google Benchmark program (add_executable).")
  endif()
  if(DEFINED gb_REPETITIONS AND NOT gb_REPETITIONS MATCHES "^[1-9][0-9]*$")
    message(FATAL_ERROR "${call}: REPETITIONS '${gb_REPETITIONS}' is not a whole number of at least 1; "
      "write e.g. REPETITIONS 10.")
  endif()
  if(DEFINED gb_DISCOVERY_TIMEOUT AND NOT gb_DISCOVERY_TIMEOUT MATCHES "^[1-9][0-9]*$")
    message(FATAL_ERROR "${call}: DISCOVERY_TIMEOUT '${gb_DISCOVERY_TIMEOUT}' is not a whole number of "
      "seconds; write e.g. DISCOVERY_TIMEOUT 120.")
  endif()
  if(NOT TARGET PerfCheck::perfcheck)
    message(FATAL_ERROR "${call}: the target PerfCheck::perfcheck is not defined here; call "
      "find_package(PerfCheck) before perfcheck_add_gbench.")
  endif()
endfunction()

# Writes the spec every discovered test runs (add_perf_test's writer; --benchmark_out_format=json
# in the command makes it a Google Benchmark test), with the
# thresholds and rules without a pattern), joins it to the session's build-time check, and sets
# `out_spec` to its file and `out_timeout` to the CTest TIMEOUT of one level.
function(_perfcheck_gbench_template call out_spec out_timeout)
  set(arg_NAME "${gb_NAME_PREFIX}gbench-template")
  _perfcheck_check_name("${call}" "${arg_NAME}")
  set(arg_COMMAND "$<TARGET_FILE:${gb_TARGET}>" --benchmark_out_format=json)  # a gbench test
  if(DEFINED gb_MIN_TIME)
    _perfcheck_duration_ns("${call}" MIN_TIME "${gb_MIN_TIME}" min_time_ns)
    math(EXPR whole "${min_time_ns} / 1000000000")
    math(EXPR fraction "${min_time_ns} % 1000000000 + 1000000000")
    string(SUBSTRING "${fraction}" 1 9 fraction)
    list(APPEND arg_COMMAND "--benchmark_min_time=${whole}.${fraction}")
  endif()
  list(APPEND arg_COMMAND ${gb_ARGS})
  foreach(pair IN ITEMS "REPETITIONS;RUNS" "WARMUP;WARMUP" "WORKING_DIRECTORY;WORKING_DIRECTORY"
      "COUNTERS;METRICS" "METADATA;METADATA" "ENVIRONMENT;ENVIRONMENT" "LIMITS;LIMITS")
    list(GET pair 0 from)
    list(GET pair 1 to)
    if(DEFINED gb_${from})
      set(arg_${to} "${gb_${from}}")
    endif()
  endforeach()
  foreach(keyword IN ITEMS THRESHOLDS REGRESSION)
    if(DEFINED gb_${keyword})
      set(arg_${keyword} "")  # defined: a rule anywhere lets the runs extend (_perfcheck_plan)
    endif()
    foreach(entry IN LISTS gb_${keyword})
      if(NOT entry MATCHES "^[^ :]+: ")
        list(APPEND arg_${keyword} "${entry}")
      endif()
    endforeach()
  endforeach()
  _perfcheck_plan("${call}")
  _perfcheck_write_spec("${call}" spec_file)
  _perfcheck_join_session("${spec_file}")
  set(${out_spec} "${spec_file}" PARENT_SCOPE)
  set(${out_timeout} "${plan_timeout}" PARENT_SCOPE)
endfunction()
