# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# Included by PerfCheck.cmake: the levels of a perf test (PARAMETERS, CONCURRENCY) as the spec
# carries them, and the CTest TIMEOUT of a perf test (the formula documented in PerfCheck.cmake).

# Appends the levels to the spec text in `spec_var`: "parameters" (the caller's parameters_json),
# "concurrency" and "seed". Reads the caller's arg_* variables.
function(_perfcheck_spec_levels spec_var call)
  if(NOT parameters_json STREQUAL "")
    _perfcheck_spec_member(${spec_var} parameters "[${parameters_json}]")
  endif()
  _perfcheck_spec_concurrency(${spec_var} "${call}")
  if(DEFINED arg_SEED)
    if(NOT arg_SEED MATCHES "^[1-9][0-9]*$")
      message(FATAL_ERROR "${call}: SEED '${arg_SEED}' is not a whole number above 0; write "
        "e.g. SEED 42, or leave SEED out for a random order.")
    endif()
    _perfcheck_spec_member(${spec_var} seed "${arg_SEED}")
  endif()
  set(${spec_var} "${${spec_var}}" PARENT_SCOPE)
endfunction()

# CONCURRENCY <copies>...: whole numbers from 1 to 1000, each once, into the spec's
# "concurrency" array.
function(_perfcheck_spec_concurrency spec_var call)
  if(NOT "CONCURRENCY" IN_LIST arg_KEYWORDS_MISSING_VALUES AND NOT DEFINED arg_CONCURRENCY)
    return()
  endif()
  if(NOT arg_CONCURRENCY)
    message(FATAL_ERROR "${call}: CONCURRENCY has no copy counts; write e.g. CONCURRENCY 1 5 10.")
  endif()
  set(seen "")
  foreach(copies IN LISTS arg_CONCURRENCY)
    if(NOT copies MATCHES "^[0-9]+$" OR copies LESS 1 OR copies GREATER 1000)
      message(FATAL_ERROR "${call}: CONCURRENCY '${copies}' is not a number of copies; give whole "
        "numbers from 1 to 1000, e.g. CONCURRENCY 1 5 10.")
    endif()
    math(EXPR copies "${copies}")  # 05 is 5
    if(copies IN_LIST seen)
      message(FATAL_ERROR "${call}: CONCURRENCY ${copies} is given twice (duplicate levels); give "
        "each copy count once.")
    endif()
    list(APPEND seen ${copies})
  endforeach()
  _perfcheck_spec_array(${spec_var} concurrency seen)
  set(${spec_var} "${${spec_var}}" PARENT_SCOPE)
endfunction()

# Sets `out` to the JSON objects (comma-separated) of the PARAMETERS groups in the words after
# `keywords`: each "PARAMETERS <name> <value>..." up to the next keyword. A group without a name
# or without values fails naming the test; the values themselves (ranges, duplicates) are
# checked at build time by perfcheck validate.
function(_perfcheck_parameter_groups out call keywords)
  set(json "")
  set(name "")
  set(values "")
  set(in_group FALSE)
  set(levels 1)
  foreach(word IN LISTS ARGN ITEMS PARAMETERS)  # the extra PARAMETERS ends the last group
    if(word STREQUAL "PARAMETERS" OR (in_group AND word IN_LIST keywords))
      if(in_group)
        if(name STREQUAL "" OR values STREQUAL "")
          message(FATAL_ERROR "${call}: PARAMETERS ${name} has no values; write e.g. "
            "PARAMETERS n 10 50 100 (or a range: PARAMETERS n 10..1000*10).")
        endif()
        _perfcheck_json_string(name_literal "${name}")
        set(items "")
        set(count 0)
        foreach(value IN LISTS values)
          _perfcheck_json_string(literal "${value}")
          list(APPEND items "${literal}")
          _perfcheck_value_count(n "${value}")
          math(EXPR count "${count} + ${n}")
        endforeach()
        math(EXPR levels "${levels} * ${count}")
        list(JOIN items ", " items)
        if(NOT json STREQUAL "")
          string(APPEND json ", ")
        endif()
        string(APPEND json "{\"name\": ${name_literal}, \"values\": [${items}]}")
      endif()
      set(in_group FALSE)
      if(word STREQUAL "PARAMETERS")
        set(in_group TRUE)
      endif()
      set(name "")
      set(values "")
    elseif(in_group AND name STREQUAL "")
      set(name "${word}")
    elseif(in_group)
      list(APPEND values "${word}")
    endif()
  endforeach()
  set(${out} "${json}" PARENT_SCOPE)
  set(${out}_levels "${levels}" PARENT_SCOPE)
endfunction()

# How many levels one PARAMETERS value stands for, for the CTest TIMEOUT: a whole-number range
# (A..B*F, A..B+S) counted exactly, a range of other numbers as 50 (an upper bound of what such
# a range usually gives; perfcheck validate checks the values themselves), anything else 1.
function(_perfcheck_value_count out value)
  set(n 1)
  string(LENGTH "${value}" length)
  if(length GREATER 40)  # numbers that large would overflow math(): counted like other ranges
    set(n 50)
  elseif(value MATCHES "^([0-9]+)\\.\\.([0-9]+)\\*([0-9]+)$" AND CMAKE_MATCH_1 GREATER 0
      AND CMAKE_MATCH_3 GREATER 1 AND CMAKE_MATCH_3 LESS 1000000)
    set(n 0)
    set(at "${CMAKE_MATCH_1}")
    set(last "${CMAKE_MATCH_2}")
    set(factor "${CMAKE_MATCH_3}")
    string(LENGTH "${last}" digits)
    if(digits GREATER 12)
      set(n 50)
    else()
      while(NOT at GREATER last)
        math(EXPR n "${n} + 1")
        math(EXPR at "${at} * ${factor}")
      endwhile()
    endif()
  elseif(value MATCHES "^([0-9]+)\\.\\.([0-9]+)\\+([0-9]+)$" AND CMAKE_MATCH_3 GREATER 0)
    set(n 0)
    if(NOT CMAKE_MATCH_1 GREATER CMAKE_MATCH_2)
      math(EXPR n "(${CMAKE_MATCH_2} - ${CMAKE_MATCH_1}) / ${CMAKE_MATCH_3} + 1")
    endif()
  elseif(value MATCHES "\\.\\.")
    set(n 50)
  endif()
  set(${out} "${n}" PARENT_SCOPE)
endfunction()

# The CTest TIMEOUT of a whole test from `one_level`, the TIMEOUT of one level's runs: every
# level of a sweep runs the whole plan, and SETUP and CLEANUP a budget each (per level when they
# use a placeholder: counted per level to be safe): the test's LIMITS TIMEOUT + 1 s, else
# perfcheck's own bound on a hook (10 minutes, run/hooks.cpp). Reads the caller's
# parameters_json_levels and arg_* variables.
function(_perfcheck_sweep_timeout out one_level run_timeout_ns)
  set(levels "${parameters_json_levels}")
  if(NOT levels)
    set(levels 1)
  endif()
  list(LENGTH arg_CONCURRENCY copies_levels)
  if(copies_levels GREATER 0)
    math(EXPR levels "${levels} * ${copies_levels}")
  endif()
  set(hooks 0)
  foreach(hook IN ITEMS SETUP CLEANUP)
    if(DEFINED arg_${hook})
      math(EXPR hooks "${hooks} + 1")
    endif()
  endforeach()
  set(hook_budget 600)
  if(run_timeout_ns GREATER 0)
    math(EXPR hook_budget "(${run_timeout_ns} + 999999999) / 1000000000 + 1")
  endif()
  math(EXPR seconds "60 + ${levels} * (${one_level} - 60 + ${hooks} * ${hook_budget})")
  set(${out} "${seconds}" PARENT_SCOPE)
endfunction()

# Checks BASELINE and sets `out` to how many times the runs' time counts for the CTest TIMEOUT:
# a baseline command runs as often as the candidate, and PREPARE before every run, under the
# same budget: each doubles it. Reads the caller's arg_* variables.
function(_perfcheck_sides call out)
  if(DEFINED arg_BASELINE AND NOT arg_BASELINE MATCHES "^(history|file|command)$")
    message(FATAL_ERROR "${call}: BASELINE '${arg_BASELINE}' is not a baseline kind; use "
      "history, file or command.")
  endif()
  set(sides 1)
  if(arg_BASELINE STREQUAL "command" AND DEFINED arg_REGRESSION)
    set(sides 2)
  endif()
  if(DEFINED arg_PREPARE)
    math(EXPR sides "${sides} * 2")
  endif()
  set(${out} "${sides}" PARENT_SCOPE)
endfunction()

# The CTest TIMEOUT of a perf test in whole seconds, by the formula of the documentation
# above. 60 s covers perfcheck itself (start, launch-overhead probe, result file); a run's
# budget adds 1 s to its timeout for stopping it (SIGTERM, the 500 ms grace, SIGKILL); MIN_TIME
# and DURATION are how long the author expects the runs to take, doubled for a loaded machine.
# `duration` is the DURATION text ("once" or empty included), `duration_ns` its length.
# With COUNT (the caller's arg_COUNT) the budget is 50 times longer: valgrind may count.
function(_perfcheck_ctest_timeout out warmup max_runs min_time_ns run_timeout_ns duration
    duration_ns sides)
  set(budget_s 10)
  if(duration STREQUAL "once")
    set(budget_s 1500)
  endif()
  if(run_timeout_ns GREATER 0)
    math(EXPR budget_s "(${run_timeout_ns} + 999999999) / 1000000000 + 1")
  endif()
  if(DEFINED arg_COUNT)  # valgrind may count: its runs get 50x the time (as perfcheck's limits)
    math(EXPR budget_s "${budget_s} * 50")
  endif()
  if(duration STREQUAL "once")
    math(EXPR seconds "60 + ${sides} * ${budget_s}")
  elseif(duration_ns GREATER 0)
    math(EXPR seconds "60 + ${sides} * (${warmup} + 1) * ${budget_s} + (2 * ${duration_ns} + 999999999) / 1000000000")
  else()
    math(EXPR seconds "60 + ${sides} * (${warmup} + ${max_runs}) * ${budget_s} + (2 * ${min_time_ns} + 999999999) / 1000000000")
  endif()
  set(${out} "${seconds}" PARENT_SCOPE)
endfunction()
