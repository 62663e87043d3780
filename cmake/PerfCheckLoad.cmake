# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# add_perf_test(... LOAD ...): a test whose workload is the built-in load generator, run as
# `perfcheck load` against a server under test (docs/load.md). Included by PerfCheck.cmake;
# the keyword's reference is in its rst block.

# The keywords a LOAD test takes besides NAME and LOAD (the others shape a command's runs).
set(_PERFCHECK_LOAD_KEYWORDS SERVER THRESHOLDS LABELS FIXTURES_REQUIRED PROPERTIES PARALLEL)

# Sets `out` to the argument of the caller's arg_LOAD `offset` places after `flag` (1: its
# value), "" when `flag` is not there or the arguments end first.
function(_perfcheck_load_after flag offset out)
  set(${out} "" PARENT_SCOPE)
  list(FIND arg_LOAD "${flag}" found)
  list(LENGTH arg_LOAD count)
  math(EXPR at "${found} + ${offset}")
  if(found GREATER -1 AND at LESS count)
    list(GET arg_LOAD ${at} value)
    set(${out} "${value}" PARENT_SCOPE)
  endif()
endfunction()

# Checks LOAD --stages "DURATION:RATE/s ..." of the caller's arg_LOAD when it is given: one
# argument of stages, each a constant rate (10s:50/s) or a ramp (20s:50/s..200/s), and no
# --rate, --duration or --requests beside it. Sets `out_seconds` to the stages' total time in
# whole seconds (0 without --stages), for the CTest TIMEOUT.
function(_perfcheck_load_stages call out_seconds)
  set(${out_seconds} 0 PARENT_SCOPE)
  if(NOT "--stages" IN_LIST arg_LOAD)
    return()
  endif()
  set(form "write DURATION:RATE/s, e.g. 10s:50/s (a constant rate) or 20s:50/s..200/s (a linear ramp), the stages \
separated by spaces in one quoted argument: LOAD ... --stages \"10s:50/s 5s:1000/s 30s:50/s\" (docs/load.md)")
  foreach(flag IN ITEMS --rate --duration --requests)
    if(flag IN_LIST arg_LOAD)
      message(FATAL_ERROR "${call}: LOAD --stages goes without ${flag}: each stage gives its own duration and rate; ${form}")
    endif()
  endforeach()
  _perfcheck_load_after(--stages 1 stages)
  string(REGEX MATCHALL "[^ \t\r\n]+" words "${stages}")
  if(NOT words OR stages MATCHES "^--")
    message(FATAL_ERROR "${call}: LOAD --stages has no stage; ${form}")
  endif()
  set(number "([0-9]+|[0-9]*\\.[0-9]+)")
  set(rate "${number}/(s|min|h)")
  set(stage_form "^${number}(ns|us|ms|s|min|h):${rate}(\\.\\.${rate})?$")
  _perfcheck_load_after(--stages 2 next)
  if(next MATCHES "${stage_form}")
    message(FATAL_ERROR "${call}: LOAD --stages takes its stages as one argument, but '${next}' follows it as another; ${form}")
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

# Checks LOAD --capacity FROM/s..TO/s [--step D] of the caller's arg_LOAD when it is given: the
# range's form, and no --rate, --stages, --duration or --requests beside it. Sets `out_seconds`
# to the longest the search can take (24 steps of --step, 5s by default), 0 without --capacity.
function(_perfcheck_load_capacity call out_seconds)
  set(${out_seconds} 0 PARENT_SCOPE)
  if(NOT "--capacity" IN_LIST arg_LOAD)
    return()
  endif()
  set(form "write LOAD ... --capacity FROM/s..TO/s [--step 5s], e.g. --capacity 50/s..5000/s (docs/load.md)")
  foreach(flag IN ITEMS --rate --stages --duration --requests)
    if(flag IN_LIST arg_LOAD)
      message(FATAL_ERROR "${call}: LOAD --capacity goes without ${flag}: the search runs its own steps; ${form}")
    endif()
  endforeach()
  _perfcheck_load_after(--capacity 1 range)
  if(NOT range MATCHES "^[0-9]+(\\.[0-9]+)?/s\\.\\.[0-9]+(\\.[0-9]+)?/s$")
    message(FATAL_ERROR "${call}: LOAD --capacity '${range}' is not a range of rates; ${form}")
  endif()
  set(step_ns 5000000000)
  if("--step" IN_LIST arg_LOAD)
    _perfcheck_load_after(--step 1 step)
    _perfcheck_duration_ns("${call}" "LOAD --step" "${step}" step_ns)
  endif()
  math(EXPR seconds "24 * (${step_ns} / 1000000000 + 1)")
  set(${out_seconds} ${seconds} PARENT_SCOPE)
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
  _perfcheck_load_capacity("${call}" capacity_seconds)
  if(capacity_seconds GREATER stages_seconds)
    set(stages_seconds ${capacity_seconds})
  endif()
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
  # time (a capacity search's longest) and two minutes when that is longer.
  set(timeout 600)
  if(stages_seconds GREATER 480)
    math(EXPR timeout "${stages_seconds} + 120")
  endif()
  _perfcheck_register("" ${timeout} ${command} ${arg_LOAD})
  _perfcheck_load_check("${arg_NAME}" ${command} ${arg_LOAD})
  _perfcheck_join_session("")
endfunction()

# The build-time check of a LOAD test (part of `all`): `perfcheck load --check` with the test's
# own command line reads its URL, rates, stages, capacity range, thresholds and body file and
# sends nothing, so a mistake fails the build naming the test, not the nightly run. Again
# whenever perfcheck or a --body-file changes. A body file must exist when the project is built:
# one this directory generates (add_custom_command before add_perf_test) or a generator
# expression's file is made first; one written only at test time fails the check.
function(_perfcheck_load_check name)
  _perfcheck_file_stem(stem "${name}")
  set(stamp "${CMAKE_BINARY_DIR}/perf-specs/${stem}$<$<NOT:$<STREQUAL:$<CONFIG>,>>:-$<CONFIG>>.load-checked")
  set(depends PerfCheck::perfcheck)
  set(in_bodies FALSE)  # the values after --body-file, up to the next option
  foreach(arg IN LISTS ARGN)
    if(arg MATCHES "^--")
      set(in_bodies FALSE)
    elseif(in_bodies AND arg MATCHES "\\$<")  # a generator expression: the file it names
      list(APPEND depends "${arg}")
    elseif(in_bodies)  # the test runs in this binary directory, so does the check
      cmake_path(ABSOLUTE_PATH arg BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}" OUTPUT_VARIABLE file)
      get_source_file_property(generated "${file}" GENERATED)
      if(generated OR EXISTS "${file}")  # else the check itself says the file is missing
        list(APPEND depends "${file}")
      endif()
    endif()
    if(arg STREQUAL "--body-file")
      set(in_bodies TRUE)
    endif()
  endforeach()
  add_custom_command(OUTPUT "${stamp}"
    COMMAND ${ARGN} --check --quiet
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS ${depends}
    COMMENT "Checking the LOAD options of perf test ${name}"
    VERBATIM)
  add_custom_target("perfcheck_check_${stem}" ALL DEPENDS "${stamp}")
endfunction()
