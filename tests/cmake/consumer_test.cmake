# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# Drives the consumer project through what a user does: configure, build, `ctest -L perf`,
# and checks the outcomes: the passing tests pass, the deliberately failing one fails (and
# only it), results, the session record and Test.xml measurements are written.
#   cmake -DSOURCE_DIR=<consumer> -DBINARY_DIR=... -DGENERATOR=... -DMODE=<mode>
#         [-DPERFCHECK_PREFIX=...] [-DPERFCHECK_SOURCE_DIR=...] [-DPERFCHECK_BUILD_DIR=...]
#         [-DC_COMPILER=...] [-DCXX_COMPILER=...] [-DKEEP_BUILD=ON] -P consumer_test.cmake
# <mode> is a CONSUMER_MODE of consumer/CMakeLists.txt (find_package, fetch_content,
# add_subdirectory), or build_tree: find_package against perfcheck's build tree.
foreach(var SOURCE_DIR BINARY_DIR GENERATOR MODE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "consumer_test.cmake: -D${var}=... is required")
  endif()
endforeach()

include("${CMAKE_CURRENT_LIST_DIR}/driver_helpers.cmake")  # run(), expect()

# The verdict in a result file.
function(expect_verdict file verdict)
  expect("${file} exists" EXISTS "${file}")
  file(READ "${file}" text)
  string(JSON actual GET "${text}" verdict)
  expect("${file} has verdict ${verdict} (it has ${actual})" actual STREQUAL verdict)
endfunction()

if(KEEP_BUILD)
  # Reuse the build of perfcheck already in BINARY_DIR/perfcheck (same sources, same flags,
  # so Ninja compiles nothing again); start the consumer itself afresh.
  file(REMOVE_RECURSE "${BINARY_DIR}/CMakeCache.txt" "${BINARY_DIR}/perf-results"
    "${BINARY_DIR}/perf-specs" "${BINARY_DIR}/Testing")
else()
  file(REMOVE_RECURSE "${BINARY_DIR}")
endif()
set(configure_args -S "${SOURCE_DIR}" -B "${BINARY_DIR}" -G "${GENERATOR}"
  "-DCONSUMER_MODE=${MODE}" -DCONSUMER_WITH_FAILURE=ON)
if(GENERATOR MATCHES "Multi-Config")
  set(configs Debug Release)
else()
  set(configs Debug)
  list(APPEND configure_args -DCMAKE_BUILD_TYPE=Debug)
endif()
if(C_COMPILER)
  list(APPEND configure_args "-DCMAKE_C_COMPILER=${C_COMPILER}")
endif()
if(CXX_COMPILER AND MODE MATCHES "^(fetch_content|add_subdirectory)$")  # builds perfcheck (C++)
  list(APPEND configure_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(MODE STREQUAL "find_package")
  list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${PERFCHECK_PREFIX}")
elseif(MODE STREQUAL "build_tree")
  # find_package against perfcheck's build tree (its export()), no install.
  list(REMOVE_ITEM configure_args "-DCONSUMER_MODE=build_tree")
  list(APPEND configure_args -DCONSUMER_MODE=find_package "-DPerfCheck_DIR=${PERFCHECK_BUILD_DIR}")
elseif(MODE STREQUAL "fetch_content")
  list(APPEND configure_args "-DFETCHCONTENT_SOURCE_DIR_PERFCHECK=${PERFCHECK_SOURCE_DIR}")
elseif(MODE STREQUAL "add_subdirectory")
  list(APPEND configure_args "-DPERFCHECK_SOURCE_DIR=${PERFCHECK_SOURCE_DIR}")
endif()

run(configure "${CMAKE_COMMAND}" ${configure_args})
expect("configure succeeds" configure_status EQUAL 0)

# The test properties add_perf_test set: defaults, the derived TIMEOUT, PROPERTIES on top.
list(GET configs 0 first_config)
execute_process(COMMAND ctest --test-dir "${BINARY_DIR}" -C ${first_config} --show-only=json-v1
  OUTPUT_VARIABLE tests_json RESULT_VARIABLE status)
expect("ctest --show-only=json-v1 works" status EQUAL 0)
# Property <name> of test <test> as "<value>" (lists joined with ","), or "<unset>".
function(test_property out test name)
  string(JSON count LENGTH "${tests_json}" tests)
  math(EXPR last "${count} - 1")
  set(value "<no test ${test}>")
  foreach(i RANGE ${last})
    string(JSON current GET "${tests_json}" tests ${i} name)
    if(current STREQUAL test)
      set(value "<unset>")
      string(JSON property_count LENGTH "${tests_json}" tests ${i} properties)
      math(EXPR last_property "${property_count} - 1")
      foreach(j RANGE ${last_property})
        string(JSON property GET "${tests_json}" tests ${i} properties ${j} name)
        if(property STREQUAL name)
          string(JSON type TYPE "${tests_json}" tests ${i} properties ${j} value)
          string(JSON value GET "${tests_json}" tests ${i} properties ${j} value)
          if(type STREQUAL "ARRAY")
            string(JSON n LENGTH "${value}")
            math(EXPR last_item "${n} - 1")
            set(items "")
            foreach(k RANGE ${last_item})
              string(JSON item GET "${value}" ${k})
              list(APPEND items "${item}")
            endforeach()
            list(JOIN items "," value)
          endif()
        endif()
      endforeach()
    endif()
  endforeach()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()
test_property(value consumer.pass LABELS)
expect("consumer.pass has labels perf and consumer (${value})" value STREQUAL "consumer,perf")
test_property(value consumer.pass FIXTURES_REQUIRED)
expect("consumer.pass requires perfcheck_session (${value})" value STREQUAL "perfcheck_session")
test_property(value consumer.pass RUN_SERIAL)
expect("consumer.pass runs serially (${value})" value)
test_property(value consumer.pass TIMEOUT)
expect("PROPERTIES TIMEOUT 77 overrides the derived TIMEOUT (${value})" value EQUAL 77)
test_property(value "consumer escaping/args" TIMEOUT)
expect("TIMEOUT = 60 + (0 + 2) * (2 + 1) + 0 for the escaping test with LIMITS timeout 2s (${value})"
  value EQUAL 66)
test_property(value "consumer escaping/args" RUN_SERIAL)
expect("PARALLEL drops RUN_SERIAL (${value})" value STREQUAL "<unset>")
test_property(value perfcheck_session_start FIXTURES_SETUP)
expect("perfcheck_session_start sets up perfcheck_session (${value})" value STREQUAL "perfcheck_session")

foreach(config IN LISTS configs)
  run(build "${CMAKE_COMMAND}" --build "${BINARY_DIR}" --config ${config} --parallel 2)
  expect("build (${config}) succeeds" build_status EQUAL 0)
  expect("the build checks the specs"
    build_output MATCHES "Checking 4 perf test spec\\(s\\)")
  if(KEEP_BUILD)
    # Only sources edited since the kept build was made are compiled again.
    string(REGEX MATCHALL "Building CXX object perfcheck/" again "${build_output}")
    list(LENGTH again again)
    message(STATUS "kept build of perfcheck reused; ${again} object(s) compiled again")
  endif()

  # LIMITS reach the spec, with lower-case keys.
  file(GLOB pass_specs "${BINARY_DIR}/perf-specs/consumer.pass*.json")
  list(GET pass_specs 0 spec)
  file(READ "${spec}" text)
  string(JSON limits GET "${text}" limits)
  string(JSON timeout GET "${limits}" timeout)
  string(JSON memory GET "${limits}" memory)
  string(JSON processes GET "${limits}" processes)
  expect("${spec} has the LIMITS (${limits})"
    timeout STREQUAL "20s" AND memory STREQUAL "256MiB" AND processes STREQUAL "16")

  # One spec per configuration, naming that configuration's program.
  if(GENERATOR MATCHES "Multi-Config")
    set(spec "${BINARY_DIR}/perf-specs/consumer.pass-${config}.json")
    file(READ "${spec}" text)
    string(JSON program GET "${text}" command 0)
    expect("${spec} runs the ${config} program (${program})" program MATCHES "/${config}/work$")
  endif()

  # The passing tests alone: ctest succeeds.
  run(pass ctest --test-dir "${BINARY_DIR}" -C ${config} -L perf -E consumer.fail
    --output-on-failure)
  expect("ctest -L perf -E consumer.fail passes" pass_status EQUAL 0)
  expect("the session fixture ran"
    pass_output MATCHES "perfcheck_session_start [.]+ +Passed"
    AND pass_output MATCHES "perfcheck_session_finish [.]+ +Passed")
  expect("the escaping test passed" pass_output MATCHES "consumer escaping/args [.]+ +Passed")
endforeach()

# The whole suite, as a dashboard client runs it: one test fails on its threshold.
list(GET configs -1 config)
run(all ctest --test-dir "${BINARY_DIR}" -C ${config} -T Test -L perf --output-on-failure)
expect("ctest -L perf fails because of consumer.fail" NOT all_status EQUAL 0)
expect("consumer.pass passes" all_output MATCHES "consumer.pass [.]+ +Passed")
expect("consumer.fail fails" all_output MATCHES "consumer.fail [.]+[*]+Failed")
expect("only consumer.fail fails" all_output MATCHES "tests passed, 1 tests failed out of 6")
expect("consumer.expected_failure passes in CTest (WILL_FAIL)"
  all_output MATCHES "consumer.expected_failure [.]+ +Passed")
expect("the failure names the threshold" all_output MATCHES "wall.median < 1ns")

expect_verdict("${BINARY_DIR}/perf-results/consumer.pass.json" pass)
file(READ "${BINARY_DIR}/perf-results/consumer.pass.json" result)
string(JSON memory_limit GET "${result}" limits memory)
expect("the result of consumer.pass records its MEMORY limit (${memory_limit})"
  memory_limit EQUAL 268435456)
expect_verdict("${BINARY_DIR}/perf-results/consumer.fail.json" failed)
file(READ "${BINARY_DIR}/perf-results/session.json" session)
string(JSON schema GET "${session}" schema)
string(JSON machine GET "${session}" machine)
expect("session.json is a perfcheck/session/v1 with a machine fingerprint"
  schema STREQUAL "perfcheck/session/v1" AND machine MATCHES "^[0-9a-f]+$")

file(GLOB logs "${BINARY_DIR}/Testing/Temporary/LastTest_*.log")  # the -T Test run's log
list(GET logs 0 log)
file(READ "${log}" log_text)
expect("the session finish counts this session's verdicts"
  log_text MATCHES "perfcheck session [0-9TZ]+-[0-9a-f]+: 4 result\\(s\\): 2 pass, 1 failed, 1 expected failure \\(WILL_FAIL\\)")

# The session's cleanup wrote the report from the history and printed where it is.
expect("the session finish printed the report's path"
  log_text MATCHES "perfcheck report: [^\n]*/perf-report/index.html")
foreach(file index.html summary.md junit.xml report.json)
  expect("the session's report has ${file}" EXISTS "${BINARY_DIR}/perf-report/${file}")
endforeach()
file(READ "${BINARY_DIR}/perf-report/summary.md" summary)
expect("summary.md names the failing test" summary MATCHES "consumer.fail")
expect("summary.md counts the WILL_FAIL test as an expected failure, not as failed"
  summary MATCHES "1 failed, [^\n]*1 expected failure" AND summary MATCHES "failed \\(expected: WILL_FAIL\\)")
# The perf_report target writes it on demand.
file(REMOVE_RECURSE "${BINARY_DIR}/perf-report")
run(report "${CMAKE_COMMAND}" --build "${BINARY_DIR}" --config ${config} --target perf_report)
expect("the perf_report target succeeds" report_status EQUAL 0)
expect("perf_report wrote index.html" EXISTS "${BINARY_DIR}/perf-report/index.html")

# ctest -T Test records the <CTestMeasurement> figures in Test.xml.
file(GLOB test_xml "${BINARY_DIR}/Testing/*/Test.xml")
expect("ctest -T Test wrote Test.xml" test_xml)
file(READ "${test_xml}" xml)
string(FIND "${xml}" "<Name>consumer.pass</Name>" at)
expect("Test.xml has consumer.pass" NOT at EQUAL -1)
string(SUBSTRING "${xml}" ${at} 20000 pass_xml)
string(FIND "${pass_xml}" "</Test>" end)
string(SUBSTRING "${pass_xml}" 0 ${end} pass_xml)
expect("Test.xml carries consumer.pass's wall.median_ms as a number"
  pass_xml MATCHES "<NamedMeasurement type=\"numeric/double\" name=\"wall.median_ms\">[ \t\r\n]*<Value>[0-9.e+-]+</Value>")
expect("Test.xml carries consumer.pass's rss.max_mib"
  pass_xml MATCHES "name=\"rss.max_mib\"")
# A spec that no longer compiles (edited after the build-time check) stops the session in its
# setup: one error naming the file and the field, and no perf test runs.
file(GLOB pass_specs "${BINARY_DIR}/perf-specs/consumer.pass*.json")
expect("the spec of consumer.pass exists (${pass_specs})" pass_specs)
foreach(spec IN LISTS pass_specs)
  file(COPY_FILE "${spec}" "${spec}.kept")
  file(READ "${spec}" text)
  string(JSON broken SET "${text}" regressions "[\"wall.median 5%\"]")
  file(WRITE "${spec}" "${broken}")
endforeach()
run(broken ctest --test-dir "${BINARY_DIR}" -C ${config} -L perf -V)
foreach(spec IN LISTS pass_specs)  # as configured
  file(RENAME "${spec}.kept" "${spec}")
endforeach()
expect("ctest -L perf fails when a spec does not compile" NOT broken_status EQUAL 0)
expect("the session setup fails" broken_output MATCHES "perfcheck_session_start [.]+[*]+Failed")
expect("the setup names the spec, the field and why"
  broken_output MATCHES "error: [^\n]*consumer[.]pass[^\n]*bad regression rule .wall.median 5%."
  AND broken_output MATCHES "[0-9]+ of [0-9]+ perf test spec\\(s\\) do not compile")
expect("no perf test runs" broken_output MATCHES "consumer.pass [.]+[*]+Not Run"
  AND NOT broken_output MATCHES "consumer.fail [.]+[*]+Failed")
expect("the cleanup counts the new session, with no results"
  broken_output MATCHES "perfcheck session [0-9TZ]+-[0-9a-f]+: 0 result\\(s\\)")

message(STATUS "consumer (${MODE}, ${GENERATOR}): all checks passed")
