# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# add_perf_test's PROFILE (docs/profiles.md): the value checked when configuring, the CTest
# TIMEOUT that covers the profiled runs, and the files CTest attaches to a failed test. These
# functions read the arg_<keyword> variables of add_perf_test's scope.

# Fails unless PROFILE is auto, perf or callgrind.
function(_perfcheck_check_profile call)
  if(NOT DEFINED arg_PROFILE)  # PROFILE without a value: _perfcheck_check_call's example
    return()
  endif()
  if(NOT arg_PROFILE MATCHES "^(auto|perf|callgrind)$")
    message(FATAL_ERROR "${call}: PROFILE '${arg_PROFILE}' is not a profiler; PROFILE takes auto, perf or callgrind")
  endif()
endfunction()

# `timeout` plus the profiled runs: one of the command (and one of a BASELINE command, `sides`
# 2), each at the run budget (LIMITS TIMEOUT + 1s, else 10s) times 3 for perf (the run, perf
# script) or 50 for callgrind (and auto, which may fall back to it); with CONCURRENCY, times the
# most copies (a level is profiled as a round of its copies, which share the cores, and perf
# script reads each copy's profile in turn).
function(_perfcheck_profile_timeout out timeout run_timeout_ns sides)
  if(NOT DEFINED arg_PROFILE)
    set(${out} "${timeout}" PARENT_SCOPE)
    return()
  endif()
  set(budget 10)
  if(run_timeout_ns)
    math(EXPR budget "(${run_timeout_ns} + 999999999) / 1000000000 + 1")
  endif()
  set(factor 50)
  if(arg_PROFILE STREQUAL "perf")
    set(factor 3)
  endif()
  set(profile_sides 1)
  if(arg_BASELINE STREQUAL "command")
    set(profile_sides 2)
  endif()
  set(copies 1)
  foreach(level IN LISTS arg_CONCURRENCY)
    if(level MATCHES "^[0-9]+$" AND level GREATER copies)
      set(copies "${level}")
    endif()
  endforeach()
  math(EXPR total "${timeout} + ${profile_sides} * ${budget} * ${factor} * ${copies}")
  set(${out} "${total}" PARENT_SCOPE)
endfunction()

# ATTACHED_FILES_ON_FAIL: the folded stacks and flame graphs perfcheck writes beside the result
# (those of the baseline command and the differential graph with BASELINE command).
function(_perfcheck_profile_attachments)
  if(NOT DEFINED arg_PROFILE)
    return()
  endif()
  _perfcheck_file_stem(stem "${arg_NAME}")
  set(files "${PERFCHECK_RESULTS_DIR}/${stem}.profile.svg" "${PERFCHECK_RESULTS_DIR}/${stem}.profile.folded")
  if(arg_BASELINE STREQUAL "command")
    list(APPEND files "${PERFCHECK_RESULTS_DIR}/${stem}.profile-diff.svg"
      "${PERFCHECK_RESULTS_DIR}/${stem}.baseline.svg" "${PERFCHECK_RESULTS_DIR}/${stem}.baseline.folded")
  endif()
  set_property(TEST "${arg_NAME}" APPEND PROPERTY ATTACHED_FILES_ON_FAIL ${files})
endfunction()
