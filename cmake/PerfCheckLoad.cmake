# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# add_perf_test(... LOAD ...): a test whose workload is the built-in load generator, run as
# `perfcheck load` against a server under test (docs/load.md). Included by PerfCheck.cmake;
# the keyword's reference is in its rst block.

# The keywords a LOAD test takes besides NAME and LOAD (the others shape a command's runs).
set(_PERFCHECK_LOAD_KEYWORDS SERVER THRESHOLDS LABELS FIXTURES_REQUIRED PROPERTIES PARALLEL)

# Checks LOAD --stages "DURATION:RATE/s ..." of the caller's arg_LOAD when it is given: one
# argument of stages, each a constant rate (10s:50/s) or a ramp (20s:50/s..200/s), and no
# --rate, --duration or --requests beside it. Sets `out_seconds` to the stages' total time in
# whole seconds (0 without --stages), for the CTest TIMEOUT.
function(_perfcheck_load_stages call out_seconds)
  set(${out_seconds} 0 PARENT_SCOPE)
  list(FIND arg_LOAD "--stages" at)
  if(at EQUAL -1)
    return()
  endif()
  set(form "write DURATION:RATE/s, e.g. 10s:50/s (a constant rate) or 20s:50/s..200/s (a linear ramp), the stages \
separated by spaces in one quoted argument: LOAD ... --stages \"10s:50/s 5s:1000/s 30s:50/s\" (docs/load.md)")
  foreach(flag IN ITEMS --rate --duration --requests)
    if(flag IN_LIST arg_LOAD)
      message(FATAL_ERROR "${call}: LOAD --stages goes without ${flag}: each stage gives its own duration and rate; ${form}")
    endif()
  endforeach()
  math(EXPR at "${at} + 1")
  list(LENGTH arg_LOAD count)
  set(stages "")
  if(at LESS count)
    list(GET arg_LOAD ${at} stages)
  endif()
  string(REGEX MATCHALL "[^ \t\r\n]+" words "${stages}")
  if(NOT words OR stages MATCHES "^--")
    message(FATAL_ERROR "${call}: LOAD --stages has no stage; ${form}")
  endif()
  set(number "([0-9]+|[0-9]*\\.[0-9]+)")
  set(rate "${number}/(s|min|h)")
  set(stage_form "^${number}(ns|us|ms|s|min|h):${rate}(\\.\\.${rate})?$")
  math(EXPR after "${at} + 1")
  if(after LESS count)
    list(GET arg_LOAD ${after} next)
    if(next MATCHES "${stage_form}")
      message(FATAL_ERROR "${call}: LOAD --stages takes its stages as one argument, but '${next}' follows it as another; ${form}")
    endif()
  endif()
  set(k 0)
  set(total_ns 0)
  foreach(stage IN LISTS words)
    math(EXPR k "${k} + 1")
    if(NOT stage MATCHES "${stage_form}")
      message(FATAL_ERROR "${call}: LOAD --stages: stage ${k} '${stage}' is not DURATION:RATE/s; ${form}")
    endif()
    # The duration from this match (no string(REGEX) in between: _perfcheck_duration_ns reads
    # the CMAKE_MATCH_<n> left over, which must not be empty).
    _perfcheck_duration_ns("${call}" "LOAD --stages: stage ${k}" "${CMAKE_MATCH_1}${CMAKE_MATCH_2}" ns)
    math(EXPR total_ns "${total_ns} + ${ns}")
  endforeach()
  math(EXPR seconds "(${total_ns} + 999999999) / 1000000000")
  set(${out_seconds} "${seconds}" PARENT_SCOPE)
endfunction()

# Registers the LOAD test of the caller's arg_* variables: `perfcheck load` with the LOAD options,
# --server and its state folder (so {port} in --url is the server's port), the THRESHOLDS, the
# results folder and the history, under the session fixture like every perf test.
function(_perfcheck_load_test)
  set(call "add_perf_test(NAME ${arg_NAME})")
  if(NOT arg_NAME)
    message(FATAL_ERROR "add_perf_test: NAME is missing; write add_perf_test(NAME my_test SERVER api LOAD --url ...)")
  endif()
  foreach(keyword IN ITEMS COMMAND RUNS WARMUP MIN_TIME DURATION CONCURRENCY PARAMETERS REGRESSION BASELINE
      BASELINE_COMMAND SETUP PREPARE CLEANUP LIMITS METRICS ENVIRONMENT WORKING_DIRECTORY CLIENT)
    if(DEFINED arg_${keyword})
      list(JOIN _PERFCHECK_LOAD_KEYWORDS ", " allowed)
      message(FATAL_ERROR "${call}: ${keyword} does not go with LOAD, whose options say what is sent and for "
        "how long (--rate, --connections, --duration, --requests; docs/load.md); a LOAD test takes ${allowed}.")
    endif()
  endforeach()
  if(NOT "--url" IN_LIST arg_LOAD)
    message(FATAL_ERROR "${call}: LOAD needs --url, e.g. LOAD --url http://127.0.0.1:{port}/ --rate 100/s --duration 10s")
  endif()
  _perfcheck_load_stages("${call}" stages_seconds)
  set(command PerfCheck::perfcheck load --name "${arg_NAME}" --output-dir "${PERFCHECK_RESULTS_DIR}")
  if(DEFINED arg_SERVER)
    _perfcheck_server_of("${call}" "${arg_SERVER}" server_fixture server_state_dir)
    list(APPEND arg_FIXTURES_REQUIRED "${server_fixture}")
    list(APPEND command --server "${arg_SERVER}" --server-state-dir "${server_state_dir}")
  endif()
  if(NOT PERFCHECK_HISTORY STREQUAL "")
    list(APPEND command --history "${PERFCHECK_HISTORY}")
  endif()
  foreach(threshold IN LISTS arg_THRESHOLDS)
    list(APPEND command --threshold "${threshold}")
  endforeach()
  # A load run is bounded by its own --duration or --requests (or --stages) and --timeout; CTest's
  # default TIMEOUT is the last resort (PROPERTIES TIMEOUT overrides it): 600 s, or the stages'
  # time and two minutes when that is longer.
  set(timeout 600)
  if(stages_seconds GREATER 480)
    math(EXPR timeout "${stages_seconds} + 120")
  endif()
  _perfcheck_register("" ${timeout} ${command} ${arg_LOAD})
endfunction()
