# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# Baseline epochs and branches end to end, as a project lives with them: real `ctest -L perf`
# sessions of the consumer in baselines_epochs/, copied into a git repository of its own.
#   cmake -DSOURCE_DIR=<baselines_epochs consumer> -DWORK_SOURCE=<baselines/work.c>
#         -DBINARY_DIR=... -DPERFCHECK_PREFIX=<installed perfcheck> [-DGENERATOR=Ninja]
#         [-DC_COMPILER=...] -P baselines_epochs_test.cmake
#
# On main: sessions 1-2 with the unchanged program pass. Re-configured five times slower,
# session 3 regresses, and so do sessions 4, 5 and 6: the regressed results never join the
# baseline, each session is compared with sessions 1-2, and summary.md says
# "regressed since <commit>, not accepted". `perf_accept` accepts them; session 7 passes (or,
# on a loaded machine, cannot tell within the tolerance), compared with the accepted epoch.
# A second history: main (unchanged) records one session; the branch `feature` (five times
# slower) regresses in its first session and still in its second: its own first result is not
# its baseline, main's result at the merge base is.
cmake_minimum_required(VERSION 3.25)
foreach(var SOURCE_DIR WORK_SOURCE BINARY_DIR PERFCHECK_PREFIX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "baselines_epochs_test.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT GENERATOR)
  set(GENERATOR Ninja)
endif()
include("${CMAKE_CURRENT_LIST_DIR}/driver_helpers.cmake")  # run(), expect(), configure_and_build()
find_package(Git REQUIRED)

set(src "${BINARY_DIR}/src")
set(build "${BINARY_DIR}/build")
set(runs 12)
set(test epochs.history)
# The git facts come from the consumer's own repository, not from the caller's environment.
foreach(var PERFCHECK_GIT_COMMIT PERFCHECK_GIT_BRANCH PERFCHECK_GIT_MERGE_BASE
    PERFCHECK_DEFAULT_BRANCH PERFCHECK_HISTORY PERFCHECK_SESSION_ID PERFCHECK_ACCEPT_TESTS
    PERFCHECK_ACCEPT_SESSION)
  unset(ENV{${var}})
endforeach()

function(git)
  run(git "${GIT_EXECUTABLE}" -C "${src}" -c user.name=perfcheck -c user.email=perfcheck@invalid
    ${ARGN})
  expect("git ${ARGN} succeeds" git_status EQUAL 0)
  set(git_output "${git_output}" PARENT_SCOPE)
endfunction()

# <out> = the consumer's current commit.
function(head_commit out)
  git(rev-parse HEAD)
  string(STRIP "${git_output}" commit)
  set(${out} "${commit}" PARENT_SCOPE)
endfunction()

function(configure slowdown history)
  configure_and_build("slowdown ${slowdown}" "${src}" "${build}" "-DBASELINES_SLOWDOWN=${slowdown}"
    "-DPERFCHECK_HISTORY=${history}")
endfunction()

# One `ctest -L perf` session; <expect>: Passed or Failed. Leaves the result in `result`.
function(session label expect)
  run(ctest "${CMAKE_CTEST_COMMAND}" --test-dir "${build}" -L perf --output-on-failure)
  if(expect STREQUAL "Passed")
    expect("${label}: ctest -L perf passes" ctest_status EQUAL 0)
    expect("${label}: ${test} passed" ctest_output MATCHES "${test} [.]+ +Passed")
  else()
    expect("${label}: ctest -L perf fails" NOT ctest_status EQUAL 0)
    expect("${label}: ${test} failed" ctest_output MATCHES "${test} [.]+[*]+Failed")
  endif()
  file(READ "${build}/perf-results/${test}.json" result)
  set(result "${result}" PARENT_SCOPE)
endfunction()

# The result's verdict and how many baseline runs its one rule compared with. An expected pass
# also accepts an inconclusive verdict whose estimate stays within the tolerance: on a loaded
# machine the interval of an unchanged program can reach past +100% (CI saw -54% ... +160%
# around +16%), and "cannot tell" is then the honest verdict. A possible regression (the
# estimate beyond the tolerance) is never taken for a pass.
function(expect_verdict label verdict baseline_runs)
  string(JSON actual GET "${result}" verdict)
  string(JSON reasons GET "${result}" reasons)
  if(verdict STREQUAL "pass" AND actual STREQUAL "inconclusive")
    string(JSON change GET "${result}" regressions 0 change)
    string(JSON tolerance GET "${result}" regressions 0 tolerance)
    set(why "change ${change} over tolerance ${tolerance}; reasons ${reasons}")
    expect("${label}: inconclusive, and not a possible regression (${why})"
      NOT change GREATER tolerance)
    set(actual pass)
  endif()
  expect("${label}: verdict ${verdict} (it is ${actual}; reasons ${reasons})" actual STREQUAL verdict)
  string(JSON n GET "${result}" baseline runs)
  expect("${label}: compared with ${baseline_runs} baseline runs (${n})" n EQUAL baseline_runs)
endfunction()

# --- A repository of its own, on main. -----------------------------------------------------
file(REMOVE_RECURSE "${BINARY_DIR}")
file(MAKE_DIRECTORY "${src}")
file(COPY "${SOURCE_DIR}/CMakeLists.txt" "${WORK_SOURCE}" DESTINATION "${src}")
git(init --quiet --initial-branch=main)
git(add CMakeLists.txt work.c)
git(commit --quiet -m "the consumer")
head_commit(main_commit)
string(SUBSTRING "${main_commit}" 0 10 main_short)  # as reports show a commit

# --- A persistent regression keeps failing until it is accepted. ---------------------------
set(history "${BINARY_DIR}/epochs.sqlite")
configure(1 "${history}")
session("session 1" Passed)
expect_verdict("session 1" pass 0)
session("session 2" Passed)
expect_verdict("session 2" pass ${runs})

configure(5 "${history}")
math(EXPR two_sessions "2 * ${runs}")
foreach(n 3 4 5 6)
  session("session ${n}" Failed)
  # Always the level of sessions 1 and 2: the regressed results did not join the baseline.
  expect_verdict("session ${n}" regressed ${two_sessions})
  file(READ "${build}/perf-report/summary.md" summary)
  expect("session ${n}: summary.md says the regression of ${main_short} is not accepted"
    summary MATCHES "regressed since ${main_short}, not accepted")
endforeach()
file(READ "${build}/perf-report/index.html" html)
expect("the HTML summary says the regression is not accepted"
  html MATCHES "regressed since ${main_short}, not accepted")

run(no_tests "${CMAKE_COMMAND}" --build "${build}" --target perf_accept)
expect("perf_accept without tests fails" NOT no_tests_status EQUAL 0)
expect("perf_accept without tests says how to name them"
  no_tests_output MATCHES "perf_accept: no tests to accept")
set(ENV{PERFCHECK_ACCEPT_TESTS} "${test}")
run(accept "${CMAKE_COMMAND}" --build "${build}" --target perf_accept)
unset(ENV{PERFCHECK_ACCEPT_TESTS})
expect("perf_accept succeeds" accept_status EQUAL 0)
expect("perf_accept accepts the four slow sessions"
  accept_output MATCHES "accepted ${test}: baseline epoch 1 .*[;] 4 result\\(s\\) in the new epoch")

session("session 7" Passed)
math(EXPR four_sessions "4 * ${runs}")
expect_verdict("session 7" pass ${four_sessions})
file(READ "${build}/perf-report/summary.md" summary)
expect("session 7: summary.md no longer reports an unaccepted change"
  NOT summary MATCHES "not accepted")
run(again "${CMAKE_COMMAND}" -E env "PERFCHECK_ACCEPT_TESTS=${test}"
  "${CMAKE_COMMAND}" --build "${build}" --target perf_accept)
expect("perf_accept with nothing waiting fails" NOT again_status EQUAL 0)
expect("perf_accept with nothing waiting says so"
  again_output MATCHES "has no regressed or failed result waiting for acceptance")

# --- A branch is compared with main at the merge base, never with itself. ------------------
set(history "${BINARY_DIR}/branches.sqlite")
configure(1 "${history}")
session("main" Passed)
git(checkout --quiet -b feature)
file(APPEND "${src}/work.c" "/* the feature */\n")
git(commit --quiet -am "the feature")
configure(5 "${history}")
run(show "${CMAKE_CTEST_COMMAND}" --test-dir "${build}" --show-only=json-v1)
expect("the perf test runs on branch feature" show_output MATCHES "PERFCHECK_GIT_BRANCH=feature")
expect("the perf test knows the merge base ${main_commit}"
  show_output MATCHES "PERFCHECK_GIT_MERGE_BASE=${main_commit}")
foreach(n 1 2)
  session("feature session ${n}" Failed)
  expect_verdict("feature session ${n}" regressed ${runs})
  string(JSON branch GET "${result}" context git_branch)
  expect("feature session ${n} ran on branch feature (${branch})" branch STREQUAL "feature")
endforeach()
message(STATUS "baselines_epochs: all checks passed")
