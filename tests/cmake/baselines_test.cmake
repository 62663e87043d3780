# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# The three baseline kinds end to end, as a project uses them: configures, builds and runs
# the consumer in baselines/ with `ctest -L perf` three times, and checks what the result
# files say about the baseline each test compared against.
#   cmake -DSOURCE_DIR=<baselines consumer> -DBINARY_DIR=... -DPERFCHECK_PREFIX=<installed perfcheck>
#         [-DGENERATOR=<single-configuration generator, default Ninja>] [-DC_COMPILER=...]
#         -P baselines_test.cmake
#
# Session 1 (unchanged program): history and file have no baseline yet and say so; command
#   compares with the old program, interleaved.
# Then `perfcheck baseline accept` writes the baseline file from session 1's result.
# Session 2 (unchanged): history compares with session 1, file with the accepted runs, command
#   with the old program; all pass. `perfcheck baseline show|diff` read the file.
# Re-configure with BASELINES_SLOWDOWN=5 (five times the work, the same specs).
# Session 3: all three are `regressed` and fail; `baseline diff` fails too.
# For the command kind, every session also checks the real order of the runs: both programs
# append their role to a log, which must match the order the result records, pair by pair.
cmake_minimum_required(VERSION 3.25)
foreach(var SOURCE_DIR BINARY_DIR PERFCHECK_PREFIX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "baselines_test.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT GENERATOR)
  set(GENERATOR Ninja)
endif()

set(perfcheck "${PERFCHECK_PREFIX}/bin/perfcheck")
set(results "${BINARY_DIR}/perf-results")
set(history_db "${BINARY_DIR}/perf-history.sqlite")       # PERFCHECK_HISTORY's default
set(baseline_file "${BINARY_DIR}/reviewed/perf-baseline.json")
set(run_log "${BINARY_DIR}/run-order.log")                 # BASELINES_RUN_LOG's default
set(rule "cpu.median +100%")  # as in baselines/CMakeLists.txt
set(tolerance 1.0)            # the rule's, as a fraction
set(runs 12)                  # RUNS of every test there
set(warmup 1)                 # WARMUP of every test there
set(slowdown 5)

include("${CMAKE_CURRENT_LIST_DIR}/driver_helpers.cmake")  # run(), expect(), configure_and_build()

# The consumer lives in perfcheck's own checkout, whatever branch that is on; a history
# baseline on a branch other than main would be main's (baselines_epochs_test.cmake tests
# that), so these sessions run as on main.
set(ENV{PERFCHECK_GIT_BRANCH} main)
unset(ENV{PERFCHECK_GIT_MERGE_BASE})

# <out> = the JSON value at <path...> of the JSON text in variable <json_var> (what names the
# text in messages: <what>); a missing member fails the test.
function(json_get out what json_var)
  string(JSON value ERROR_VARIABLE error GET "${${json_var}}" ${ARGN})
  if(error)
    list(JOIN ARGN "." path)
    message(FATAL_ERROR "FAILED: ${what} has no ${path}: ${error}")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

function(json_length out what json_var)
  string(JSON value ERROR_VARIABLE error LENGTH "${${json_var}}" ${ARGN})
  if(error)
    list(JOIN ARGN "." path)
    message(FATAL_ERROR "FAILED: ${what} has no array ${path}: ${error}")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# The strings of the JSON array at <path...> as a CMake list (items must not hold ';').
function(json_strings out what json_var)
  json_length(n "${what}" ${json_var} ${ARGN})
  set(items "")
  if(n GREATER 0)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      json_get(item "${what}" ${json_var} ${ARGN} ${i})
      list(APPEND items "${item}")
    endforeach()
  endif()
  set(${out} "${items}" PARENT_SCOPE)
endfunction()

# The whole numbers <field_a> (+ <field_b>) of every run in the array <path...>, as a list.
function(run_figures out what json_var field_a field_b)
  json_length(n "${what}" ${json_var} ${ARGN})
  set(values "")
  if(n GREATER 0)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      json_get(a "${what}" ${json_var} ${ARGN} ${i} ${field_a})
      set(value "${a}")
      if(field_b)
        json_get(b "${what}" ${json_var} ${ARGN} ${i} ${field_b})
        math(EXPR value "${a} + ${b}")
      endif()
      list(APPEND values "${value}")
    endforeach()
  endif()
  set(${out} "${values}" PARENT_SCOPE)
endfunction()

# <lo> and <hi>: the two middle values of a list of whole numbers (the same one when the
# count is odd); the median lies between them.
function(middle_values lo hi)
  set(values ${ARGN})
  list(SORT values COMPARE NATURAL)
  list(LENGTH values n)
  math(EXPR i "(${n} - 1) / 2")
  math(EXPR j "${n} / 2")
  list(GET values ${i} a)
  list(GET values ${j} b)
  set(${lo} "${a}" PARENT_SCOPE)
  set(${hi} "${b}" PARENT_SCOPE)
endfunction()

# The result file of <test> into variable <out>.
function(read_result out test)
  set(file "${results}/${test}.json")
  expect("${file} exists" EXISTS "${file}")
  file(READ "${file}" text)
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# The verdict of a result and the decision of its one regression rule, checked against
# <verdict>; also that the rule compared <baseline_runs> baseline runs with all candidate runs.
function(expect_decision test json_var verdict baseline_runs)
  json_get(actual "${test}" ${json_var} verdict)
  json_get(reasons "${test}" ${json_var} reasons)
  expect("${test}: verdict ${verdict} (it is ${actual}; reasons ${reasons})" actual STREQUAL verdict)
  json_length(n "${test}" ${json_var} regressions)
  expect("${test}: one regression finding (${n})" n EQUAL 1)
  json_get(value "${test}" ${json_var} regressions 0 rule)
  expect("${test}: the finding is of the rule '${rule}' (${value})" value STREQUAL rule)
  json_get(value "${test}" ${json_var} regressions 0 metric)
  expect("${test}: the finding's metric is cpu (${value})" value STREQUAL "cpu")
  json_get(value "${test}" ${json_var} regressions 0 reason)
  message(STATUS "${test}: ${value}")
  json_get(value "${test}" ${json_var} regressions 0 decision)
  expect("${test}: the rule decided ${verdict} (${value})" value STREQUAL verdict)
  json_get(value "${test}" ${json_var} regressions 0 baseline_n)
  expect("${test}: the rule compared ${baseline_runs} baseline runs (${value})"
    value EQUAL baseline_runs)
  json_get(value "${test}" ${json_var} regressions 0 candidate_n)
  expect("${test}: the rule compared the ${runs} candidate runs (${value})" value EQUAL runs)
  json_get(low "${test}" ${json_var} regressions 0 ci_low)
  json_get(high "${test}" ${json_var} regressions 0 ci_high)
  if(verdict STREQUAL "regressed")
    expect("${test}: the whole interval (${low} … ${high}) lies above +${tolerance}" low GREATER tolerance)
  else()
    expect("${test}: the interval (${low} … ${high}) lies below +${tolerance}" high LESS tolerance)
  endif()
endfunction()

# The baseline object of a result: <kind>, <source>, <runs> pooled runs from <sessions>.
function(expect_baseline test json_var kind source baseline_runs sessions)
  json_get(value "${test}" ${json_var} baseline kind)
  expect("${test}: baseline.kind is ${kind} (${value})" value STREQUAL kind)
  json_get(value "${test}" ${json_var} baseline source)
  expect("${test}: baseline.source is ${source} (${value})" value STREQUAL source)
  json_get(value "${test}" ${json_var} baseline runs)
  expect("${test}: baseline.runs is ${baseline_runs} (${value})" value EQUAL baseline_runs)
  json_get(value "${test}" ${json_var} baseline sessions)
  expect("${test}: baseline.sessions is ${sessions} (${value})" value EQUAL sessions)
endfunction()

function(expect_warning test json_var regex)
  json_strings(warnings "${test}" ${json_var} warnings)
  set(found FALSE)
  foreach(w IN LISTS warnings)
    if(w MATCHES "${regex}")
      set(found TRUE)
    endif()
  endforeach()
  expect("${test}: a warning matches '${regex}' (warnings: ${warnings})" found)
endfunction()

function(expect_no_warning test json_var regex)
  json_strings(warnings "${test}" ${json_var} warnings)
  foreach(w IN LISTS warnings)
    expect("${test}: no warning matches '${regex}' (${w})" NOT w MATCHES "${regex}")
  endforeach()
endfunction()

# baselines.command of the session that just ran, <verdict> expected: the baseline came from
# the old program, ran interleaved (pair by pair, in random order), and the order the result
# records is the order in which the programs really ran (run-order.log). Appends the pairs
# ("AB" or "BA") to <pairs_var> in the caller.
function(check_command session verdict pairs_var)
  set(test "baselines.command (session ${session})")
  read_result(r baselines.command)
  expect_decision("${test}" r ${verdict} ${runs})
  expect_baseline("${test}" r command "${BINARY_DIR}/work_old ${work}" ${runs} 1)
  json_length(n "${test}" r baseline samples)
  expect("${test}: baseline.samples holds the ${runs} baseline runs (${n})" n EQUAL runs)
  json_length(n "${test}" r runs)
  expect("${test}: ${runs} candidate runs (${n})" n EQUAL runs)
  json_length(n "${test}" r warmup_runs)
  expect("${test}: ${warmup} warm-up run(s) (${n})" n EQUAL warmup)

  # The order as recorded: A = baseline, B = candidate.
  json_get(order "${test}" r baseline order)
  message(STATUS "${test}: recorded order ${order}")
  string(LENGTH "${order}" length)
  math(EXPR both "2 * ${runs}")
  expect("${test}: the order has ${both} runs (${order})" length EQUAL both)
  expect("${test}: the order holds only A and B (${order})" order MATCHES "^[AB]+$")
  string(REGEX MATCHALL "A" a "${order}")
  list(LENGTH a a)
  expect("${test}: ${runs} baseline runs in the order (${a})" a EQUAL runs)
  # Interleaved: every candidate run is paired with a baseline run, so each pair of positions
  # holds one of each; and the side changes at least once per pair (AAAA...BBBB changes once).
  set(pairs "")
  math(EXPR last "${runs} - 1")
  foreach(k RANGE ${last})
    math(EXPR at "2 * ${k}")
    string(SUBSTRING "${order}" ${at} 2 pair)
    expect("${test}: pair ${k} of the order is AB or BA (${pair} in ${order})"
      pair STREQUAL "AB" OR pair STREQUAL "BA")
    list(APPEND pairs "${pair}")
  endforeach()
  set(switches 0)
  math(EXPR last "${length} - 2")
  foreach(i RANGE ${last})
    math(EXPR next "${i} + 1")
    string(SUBSTRING "${order}" ${i} 1 x)
    string(SUBSTRING "${order}" ${next} 1 y)
    if(NOT x STREQUAL y)
      math(EXPR switches "${switches} + 1")
    endif()
  endforeach()
  expect("${test}: the order switches sides at least ${runs} times (${switches}: ${order})"
    NOT switches LESS runs)

  # The order as it happened: one line per run of either program, warm-up included.
  expect("${test}: the programs wrote ${run_log}" EXISTS "${run_log}")
  file(STRINGS "${run_log}" lines)
  list(LENGTH lines n)
  math(EXPR expected_lines "2 * (${runs} + ${warmup})")
  expect("${test}: ${expected_lines} runs logged, ${runs} + ${warmup} per program (${n})"
    n EQUAL expected_lines)
  set(seen "")
  set(previous_end 0)
  set(durations_A "")
  set(durations_B "")
  foreach(line IN LISTS lines)
    # (Matched here, not inside expect(): CMAKE_MATCH_<n> are set in the scope that matches.)
    if(NOT line MATCHES "^(candidate|baseline) ([0-9]+) ([0-9]+)$")
      message(FATAL_ERROR "FAILED: ${test}: log line '${line}' is not <role> <start> <end>")
    endif()
    set(role "${CMAKE_MATCH_1}")
    set(start "${CMAKE_MATCH_2}")
    set(end "${CMAKE_MATCH_3}")
    expect("${test}: runs one after the other: '${line}' starts after the previous run ended (${previous_end})"
      NOT start LESS previous_end AND end GREATER start)
    set(previous_end "${end}")
    math(EXPR duration "${end} - ${start}")
    if(role STREQUAL "baseline")
      string(APPEND seen "A")
      list(APPEND durations_A ${duration})
    else()
      string(APPEND seen "B")
      list(APPEND durations_B ${duration})
    endif()
  endforeach()
  # Each warm-up runs the candidate, then the baseline; the measured runs follow in the order
  # the result records.
  string(REPEAT "BA" ${warmup} expected_seen)
  string(APPEND expected_seen "${order}")
  expect("${test}: the logged order ${seen} is the warm-up (BA) and the recorded order ${order}"
    seen STREQUAL expected_seen)
  # The roles are the programs the test means: the candidate does `slowdown` times the work.
  middle_values(a_lo a_hi ${durations_A})
  middle_values(b_lo b_hi ${durations_B})
  if(verdict STREQUAL "regressed")
    math(EXPR twice "2 * ${a_hi}")
    expect("${test}: the slow candidate's logged runs take over twice the baseline's (medians ${b_lo} and ${a_hi} ns)"
      b_lo GREATER twice)
  endif()
  set(${pairs_var} ${${pairs_var}} ${pairs} PARENT_SCOPE)
endfunction()

# One `ctest -L perf` session; <expect>: pass (every test passes) or regressed (the three
# perf tests fail, the session fixture passes).
function(session number expect)
  file(REMOVE "${run_log}")
  run(ctest "${CMAKE_CTEST_COMMAND}" --test-dir "${BINARY_DIR}" -L perf --output-on-failure)
  set(prefix "session ${number}: ctest -L perf")
  if(expect STREQUAL "pass")
    expect("${prefix} passes" ctest_status EQUAL 0)
    foreach(test baselines.history baselines.file baselines.command)
      expect("${prefix}: ${test} passed" ctest_output MATCHES "${test} [.]+ +Passed")
    endforeach()
  else()
    expect("${prefix} fails" NOT ctest_status EQUAL 0)
    foreach(test baselines.history baselines.file baselines.command)
      expect("${prefix}: ${test} failed" ctest_output MATCHES "${test} [.]+[*]+Failed")
    endforeach()
    expect("${prefix}: only the three perf tests fail"
      ctest_output MATCHES "tests passed, 3 tests failed out of 5")
    string(REPLACE "+" "[+]" rule_regex "${rule}")
    expect("${prefix}: the failures say '${rule}: slower by'"
      ctest_output MATCHES "${rule_regex}: slower by")
  endif()
  file(READ "${BINARY_DIR}/Testing/Temporary/LastTest.log" log)
  expect("${prefix}: the session finish counts 3 ${expect} results"
    log MATCHES "perfcheck session [0-9TZ]+-[0-9a-f]+: 3 result\\(s\\): 3 ${expect}")
endfunction()

function(configure slowdown_factor)
  configure_and_build("BASELINES_SLOWDOWN=${slowdown_factor}" "${SOURCE_DIR}" "${BINARY_DIR}"
    "-DPERFCHECK_BASELINE_FILE=${baseline_file}" "-DBASELINES_SLOWDOWN=${slowdown_factor}")
endfunction()

# --- Configure and build; the specs carry the baseline settings. ---------------------------
file(REMOVE_RECURSE "${BINARY_DIR}")
# A new project has no baseline file yet: its first session runs with "no baseline yet", and
# its result is what 'perfcheck baseline accept' accepts.
file(REMOVE "${baseline_file}")
configure(1)
file(STRINGS "${BINARY_DIR}/CMakeCache.txt" work REGEX "^BASELINES_WORK:")
string(REGEX REPLACE "^[^=]*=" "" work "${work}")

set(specs "${BINARY_DIR}/perf-specs")
file(READ "${specs}/baselines.history-Debug.json" spec)
json_strings(value "history spec" spec regressions)
expect("the history spec has the rule (${value})" value STREQUAL rule)
json_get(value "history spec" spec baseline)
expect("the history spec has baseline history (${value})" value STREQUAL "history")
json_get(value "history spec" spec history)
expect("the history spec records into PERFCHECK_HISTORY's default (${value})" value STREQUAL history_db)
file(READ "${specs}/baselines.file-Debug.json" spec)
json_get(value "file spec" spec baseline)
expect("the file spec has baseline file (${value})" value STREQUAL "file")
json_get(value "file spec" spec baseline_file)
expect("BASELINE_FILE defaults to PERFCHECK_BASELINE_FILE (${value})" value STREQUAL baseline_file)
file(READ "${specs}/baselines.command-Debug.json" spec)
json_get(value "command spec" spec baseline)
expect("the command spec has baseline command (${value})" value STREQUAL "command")
# (Lists are compared through variables: expect() would split a quoted list.)
json_strings(value "command spec" spec baseline_command)
set(expected "${BINARY_DIR}/work_old;${work}")
expect("BASELINE_COMMAND's \$<TARGET_FILE:work_old> became the old program (${value})"
  value STREQUAL expected)
json_strings(value "command spec" spec command)
set(expected "${BINARY_DIR}/work;${work}")
expect("COMMAND work became the candidate program (${value})" value STREQUAL expected)
file(SHA256 "${specs}/baselines.history-Debug.json" history_spec_hash)
file(SHA256 "${specs}/baselines.file-Debug.json" file_spec_hash)
file(SHA256 "${specs}/baselines.command-Debug.json" command_spec_hash)

# --- Session 1: nothing to compare with yet, except the old program. ----------------------
set(command_pairs "")
session(1 pass)
read_result(r baselines.history)
json_get(value "baselines.history (session 1)" r verdict)
expect("baselines.history (session 1): pass (${value})" value STREQUAL "pass")
json_get(value "baselines.history (session 1)" r baseline kind)
expect("baselines.history (session 1): baseline.kind is history (${value})" value STREQUAL "history")
json_get(value "baselines.history (session 1)" r baseline runs)
expect("baselines.history (session 1): no baseline runs (${value})" value EQUAL 0)
json_length(value "baselines.history (session 1)" r regressions)
expect("baselines.history (session 1): no findings (${value})" value EQUAL 0)
expect_warning("baselines.history (session 1)" r "^no baseline yet \\(history\\)")
json_get(session_1 "baselines.history (session 1)" r context session_id)
json_get(spec_hash_1 "baselines.history (session 1)" r context spec_hash)
expect("session 1 recorded into the history" EXISTS "${history_db}")

read_result(r baselines.file)
json_get(value "baselines.file (session 1)" r verdict)
expect("baselines.file (session 1): pass (${value})" value STREQUAL "pass")
expect_baseline("baselines.file (session 1)" r file "${baseline_file}" 0 0)
json_length(value "baselines.file (session 1)" r regressions)
expect("baselines.file (session 1): no findings (${value})" value EQUAL 0)
expect_warning("baselines.file (session 1)" r "^no baseline yet \\(file\\)")
set(accepted "${r}")

check_command(1 pass command_pairs)

# --- Accept session 1's baselines.file into the baseline file. ----------------------------
run(accept "${perfcheck}" baseline accept --results "${results}" --file "${baseline_file}"
  --test baselines.file)
expect("baseline accept succeeds" accept_status EQUAL 0)
expect("baseline accept reports the test" accept_output MATCHES "accepted baselines.file: ${runs} run\\(s\\)")
file(READ "${baseline_file}" reviewed)
json_length(value "the baseline file" reviewed tests)
expect("the baseline file holds baselines.file only (${value} tests)" value EQUAL 1)
json_get(value "the baseline file" reviewed tests baselines.file recorded_at)
json_get(expected "session 1's result" accepted started_at)
expect("the accepted entry is session 1's result (recorded_at ${value}, started_at ${expected})"
  value STREQUAL expected)
json_get(value "the baseline file" reviewed tests baselines.file spec_hash)
json_get(expected "session 1's result" accepted context spec_hash)
expect("the accepted entry has the result's spec hash (${value}, ${expected})" value STREQUAL expected)
run_figures(file_walls "the baseline file" reviewed wall_ns "" tests baselines.file runs)
run_figures(result_walls "session 1's result" accepted wall_ns "" runs)
expect("the accepted runs are session 1's runs (${file_walls} vs ${result_walls})"
  file_walls STREQUAL result_walls)
list(LENGTH file_walls value)
expect("${runs} accepted runs (${value})" value EQUAL runs)
run_figures(file_cpu "the baseline file" reviewed user_ns sys_ns tests baselines.file runs)
middle_values(file_cpu_lo file_cpu_hi ${file_cpu})
file(SHA256 "${baseline_file}" reviewed_hash)

# --- Session 2: the unchanged program against each baseline. ------------------------------
session(2 pass)
read_result(r baselines.history)
expect_decision("baselines.history (session 2)" r pass ${runs})
expect_baseline("baselines.history (session 2)" r history "${history_db}" ${runs} 1)
expect_no_warning("baselines.history (session 2)" r "^no baseline yet")
json_get(value "baselines.history (session 2)" r context session_id)
expect("session 2 is another session than session 1 (${value})" NOT value STREQUAL session_1)
json_get(value "baselines.history (session 2)" r context spec_hash)
expect("the same spec hash as in session 1 (${value})" value STREQUAL spec_hash_1)

read_result(r baselines.file)
expect_decision("baselines.file (session 2)" r pass ${runs})
expect_baseline("baselines.file (session 2)" r file "${baseline_file}" ${runs} 1)
expect_no_warning("baselines.file (session 2)" r "^no baseline yet")
json_get(value "baselines.file (session 2)" r regressions 0 baseline_median)
expect("baselines.file (session 2): the baseline median is the accepted runs' CPU median (${value}, between ${file_cpu_lo} and ${file_cpu_hi})"
  NOT value LESS file_cpu_lo AND NOT value GREATER file_cpu_hi)
file(SHA256 "${baseline_file}" value)
expect("running the tests leaves the baseline file alone" value STREQUAL reviewed_hash)

check_command(2 pass command_pairs)

run(show "${perfcheck}" baseline show "${baseline_file}")
expect("baseline show succeeds" show_status EQUAL 0)
expect("baseline show lists the test with its ${runs} runs"
  show_output MATCHES "baselines.file +${runs} +[0-9.]+ [mu]?s")
run(diff "${perfcheck}" baseline diff "${baseline_file}" --results "${results}" --rule "${rule}"
  --json "${BINARY_DIR}/diff-2.json")
expect("baseline diff against session 2 succeeds" diff_status EQUAL 0)
file(READ "${BINARY_DIR}/diff-2.json" diff)
json_length(value "diff-2.json" diff comparisons)
expect("baseline diff compares one test (${value})" value EQUAL 1)
json_get(value "diff-2.json" diff comparisons 0 name)
expect("baseline diff compares baselines.file (${value})" value STREQUAL "baselines.file")
json_get(value "diff-2.json" diff comparisons 0 verdict)
expect("baseline diff: pass (${value})" value STREQUAL "pass")
json_get(value "diff-2.json" diff comparisons 0 baseline_n)
expect("baseline diff: the ${runs} accepted runs (${value})" value EQUAL runs)
json_strings(value "diff-2.json" diff only_candidate)
set(expected baselines.command baselines.history)
expect("baseline diff: the other tests are only in the results (${value})" value STREQUAL expected)

# --- Session 3: five times the work, the same specs. ---------------------------------------
configure(${slowdown})
foreach(kind history file command)
  file(SHA256 "${specs}/baselines.${kind}-Debug.json" value)
  expect("the slowdown leaves the ${kind} spec unchanged" value STREQUAL ${kind}_spec_hash)
endforeach()
session(3 regressed)

read_result(r baselines.history)
math(EXPR both_sessions "2 * ${runs}")
expect_decision("baselines.history (session 3)" r regressed ${both_sessions})
expect_baseline("baselines.history (session 3)" r history "${history_db}" ${both_sessions} 2)

read_result(r baselines.file)
expect_decision("baselines.file (session 3)" r regressed ${runs})
expect_baseline("baselines.file (session 3)" r file "${baseline_file}" ${runs} 1)
json_get(value "baselines.file (session 3)" r regressions 0 baseline_median)
expect("baselines.file (session 3): the baseline median is still the accepted runs' (${value})"
  NOT value LESS file_cpu_lo AND NOT value GREATER file_cpu_hi)

check_command(3 regressed command_pairs)
# The order is drawn per pair: over 3 sessions (36 pairs) both kinds of pair occur (a
# fixed order would show one kind only; chance alone does so once in 2^35).
expect("the interleaving is random: AB and BA pairs both occur (${command_pairs})"
  "AB" IN_LIST command_pairs AND "BA" IN_LIST command_pairs)

run(diff "${perfcheck}" baseline diff "${baseline_file}" --results "${results}" --rule "${rule}"
  --json "${BINARY_DIR}/diff-3.json")
expect("baseline diff against the slow session fails (exit 1: ${diff_status})" diff_status EQUAL 1)
file(READ "${BINARY_DIR}/diff-3.json" diff)
json_get(value "diff-3.json" diff comparisons 0 verdict)
expect("baseline diff: regressed (${value})" value STREQUAL "regressed")

run(series "${perfcheck}" history show --test baselines.history --history "${history_db}")
expect("history show --test succeeds" series_status EQUAL 0)
expect("the history holds the three sessions of baselines.history: pass, pass, regressed"
  series_output MATCHES "3 result\\(s\\).* pass .* pass .* regressed ")
message(STATUS "baselines (history, file, command): all checks passed")
