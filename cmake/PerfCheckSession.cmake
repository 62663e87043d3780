# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# What add_perf_test leaves to once per project, included by PerfCheck.cmake (documented
# there): the session fixture every perf test requires, the build-time check of all specs,
# the perf_report target, and the git commit and branch the tests are given.

# The cache variables of the branch baseline and perf_accept (documented in PerfCheck.cmake).
set(PERFCHECK_DEFAULT_BRANCH "main" CACHE STRING
  "The branch whose history results are the baseline of every other branch")
set(PERFCHECK_ACCEPT_TESTS "" CACHE STRING
  "Tests whose pending results perf_accept accepts as their new baseline (overridden by the environment variable)")
set(PERFCHECK_ACCEPT_SESSION "" CACHE STRING
  "Session whose results perf_accept accepts; empty: each test's pending change")

# Records the spec file of one perf test (if any) for the build-time check and, at the first call,
# schedules the session fixture for the end of the top-level directory, so the check sees
# every spec of the project. The settings the fixture needs are taken from this call's scope.
function(_perfcheck_join_session spec_file)
  if(NOT spec_file STREQUAL "")  # a LOAD test has none: its own check (PerfCheckLoad.cmake)
    set_property(GLOBAL APPEND PROPERTY _PERFCHECK_SPEC_FILES "${spec_file}")
  endif()
  get_property(finalize_scheduled GLOBAL PROPERTY _PERFCHECK_FINALIZE_SCHEDULED)
  if(NOT finalize_scheduled)
    set_property(GLOBAL PROPERTY _PERFCHECK_FINALIZE_SCHEDULED TRUE)
    set_property(GLOBAL PROPERTY _PERFCHECK_SESSION_RESULTS_DIR "${PERFCHECK_RESULTS_DIR}")
    set_property(GLOBAL PROPERTY _PERFCHECK_SESSION_HISTORY "${PERFCHECK_HISTORY}")
    set_property(GLOBAL PROPERTY _PERFCHECK_SESSION_REPORT_DIR "${PERFCHECK_REPORT_DIR}")
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _perfcheck_finalize)
  endif()
endfunction()

# Creates the session fixture tests, the spec check and perf_report; runs once at the end of
# the top-level directory.
function(_perfcheck_finalize)
  get_property(results_dir GLOBAL PROPERTY _PERFCHECK_SESSION_RESULTS_DIR)
  get_property(history GLOBAL PROPERTY _PERFCHECK_SESSION_HISTORY)
  get_property(report_dir GLOBAL PROPERTY _PERFCHECK_SESSION_REPORT_DIR)
  _perfcheck_add_session_tests("${results_dir}" "${history}" "${report_dir}")
  _perfcheck_add_spec_check()

  # The report of the latest session on demand: `cmake --build <dir> --target perf_report`.
  if(NOT history STREQUAL "" AND NOT TARGET perf_report)
    if(report_dir STREQUAL "")
      set(report_dir "${CMAKE_BINARY_DIR}/perf-report")
    endif()
    add_custom_target(perf_report
      COMMAND PerfCheck::perfcheck report --history "${history}" --out "${report_dir}"
      COMMAND "${CMAKE_COMMAND}" -E echo "perfcheck report: ${report_dir}/index.html"
      COMMENT "Writing the perf report of the latest session into ${report_dir}"
      VERBATIM
      USES_TERMINAL)
  endif()
  _perfcheck_add_accept_target("${history}")
endfunction()

# The target perf_accept: `perfcheck history accept` for the tests in PERFCHECK_ACCEPT_TESTS
# (the environment variable when building, else the cache variable), from the session in
# PERFCHECK_ACCEPT_SESSION likewise (default: each test's pending change). A script reads them
# when the target runs, so `PERFCHECK_ACCEPT_TESTS=a cmake --build b --target perf_accept`
# needs no re-configure.
function(_perfcheck_add_accept_target history)
  if(history STREQUAL "" OR TARGET perf_accept)
    return()
  endif()
  get_property(module_dir GLOBAL PROPERTY _PERFCHECK_MODULE_DIR)
  string(REPLACE ";" "," tests "${PERFCHECK_ACCEPT_TESTS}")  # one argument through the command
  add_custom_target(perf_accept
    COMMAND "${CMAKE_COMMAND}" "-DPERFCHECK=$<TARGET_FILE:PerfCheck::perfcheck>"
      "-DHISTORY=${history}" "-DTESTS=${tests}"
      "-DSESSION=${PERFCHECK_ACCEPT_SESSION}" -P "${module_dir}/PerfCheckAccept.cmake"
    COMMENT "Accepting the perf results of PERFCHECK_ACCEPT_TESTS as their new baseline"
    VERBATIM
    USES_TERMINAL)
endfunction()

# The setup and cleanup tests of the perfcheck_session fixture; the cleanup writes the
# session's report unless `history` or `report_dir` is empty.
function(_perfcheck_add_session_tests results_dir history report_dir)
  # The setup compiles every spec of the session again, as each test's run would: a spec
  # changed since the build-time check (or a build that skipped it) stops the session before
  # any test runs, with one error per spec.
  get_property(specs GLOBAL PROPERTY _PERFCHECK_SPEC_FILES)
  set(spec_args "")
  if(specs)
    set(spec_args --spec ${specs})
  endif()
  add_test(NAME perfcheck_session_start
    COMMAND PerfCheck::perfcheck session start --results-dir "${results_dir}" ${spec_args})
  set_tests_properties(perfcheck_session_start PROPERTIES
    FIXTURES_SETUP perfcheck_session
    LABELS perf
    TIMEOUT 60)
  set(report_args "")
  if(NOT history STREQUAL "" AND NOT report_dir STREQUAL "")
    set(report_args --history "${history}" --report-dir "${report_dir}")
  endif()
  add_test(NAME perfcheck_session_finish
    COMMAND PerfCheck::perfcheck session finish --results-dir "${results_dir}" ${report_args})
  # The report waits up to SQLite's busy timeout (60 s) for a history another process holds,
  # then reads it: the cleanup allows for both.
  set_tests_properties(perfcheck_session_finish PROPERTIES
    FIXTURES_CLEANUP perfcheck_session
    LABELS perf
    TIMEOUT 300)
endfunction()

# The target perfcheck_validate_specs (part of all): `perfcheck validate` over every spec of
# the configuration being built, again whenever a spec or perfcheck changes. Errors in the
# values CMake does not need at configure time (thresholds, limit values, ...) surface here.
function(_perfcheck_add_spec_check)
  get_property(specs GLOBAL PROPERTY _PERFCHECK_SPEC_FILES)
  list(LENGTH specs count)
  if(count EQUAL 0)  # LOAD tests only: each has its own check
    add_custom_target(perfcheck_validate_specs)
    return()
  endif()
  set(stamp "${CMAKE_BINARY_DIR}/perf-specs/validated$<$<NOT:$<STREQUAL:$<CONFIG>,>>:-$<CONFIG>>.stamp")
  add_custom_command(OUTPUT "${stamp}"
    COMMAND PerfCheck::perfcheck validate --quiet ${specs}
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS ${specs} PerfCheck::perfcheck
    COMMENT "Checking ${count} perf test spec(s) (thresholds, units)"
    VERBATIM)
  add_custom_target(perfcheck_validate_specs ALL DEPENDS "${stamp}")
endfunction()

# The source tree's git commit and branch at configure time, as PERFCHECK_GIT_COMMIT /
# PERFCHECK_GIT_BRANCH entries for a test's ENVIRONMENT; none when git or the repository is
# missing, or when the configuring environment sets them already (CI passes its own at run time).
# Also PERFCHECK_DEFAULT_BRANCH and, on another branch, PERFCHECK_GIT_MERGE_BASE (where the
# branch left the default branch): the history baseline of a branch is the default branch's.
function(_perfcheck_git_environment out)
  get_property(done GLOBAL PROPERTY _PERFCHECK_GIT_ENVIRONMENT SET)
  if(done)  # once per configure, not once per test
    get_property(entries GLOBAL PROPERTY _PERFCHECK_GIT_ENVIRONMENT)
    set(${out} "${entries}" PARENT_SCOPE)
    return()
  endif()
  set(entries "PERFCHECK_DEFAULT_BRANCH=${PERFCHECK_DEFAULT_BRANCH}")
  find_package(Git QUIET)
  if(GIT_FOUND)
    if(NOT DEFINED ENV{PERFCHECK_GIT_COMMIT})
      _perfcheck_git(commit rev-parse HEAD)
      if(commit MATCHES "^[0-9a-f]+$")
        list(APPEND entries "PERFCHECK_GIT_COMMIT=${commit}")
      endif()
    endif()
    set(branch "$ENV{PERFCHECK_GIT_BRANCH}")
    if(NOT DEFINED ENV{PERFCHECK_GIT_BRANCH})
      _perfcheck_git(branch rev-parse --abbrev-ref HEAD)
      if(branch MATCHES "^[A-Za-z0-9._/-]+$" AND NOT branch STREQUAL "HEAD")
        list(APPEND entries "PERFCHECK_GIT_BRANCH=${branch}")
      else()
        set(branch "")
      endif()
    endif()
    if(NOT DEFINED ENV{PERFCHECK_GIT_MERGE_BASE} AND NOT branch STREQUAL ""
        AND NOT branch STREQUAL PERFCHECK_DEFAULT_BRANCH)
      # A CI clone may have only the remote's copy of the default branch.
      foreach(base IN ITEMS "${PERFCHECK_DEFAULT_BRANCH}" "origin/${PERFCHECK_DEFAULT_BRANCH}")
        _perfcheck_git(merge_base merge-base HEAD "${base}")
        if(merge_base MATCHES "^[0-9a-f]+$")
          list(APPEND entries "PERFCHECK_GIT_MERGE_BASE=${merge_base}")
          break()
        endif()
      endforeach()
    endif()
  endif()
  set_property(GLOBAL PROPERTY _PERFCHECK_GIT_ENVIRONMENT "${entries}")
  set(${out} "${entries}" PARENT_SCOPE)
endfunction()

# <out> = the output of `git <args>...` in the source tree (argv, no shell); "" when it fails.
function(_perfcheck_git out)
  execute_process(COMMAND "${GIT_EXECUTABLE}" ${ARGN}
    WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}" OUTPUT_VARIABLE value RESULT_VARIABLE failed
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(failed)
    set(value "")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()
