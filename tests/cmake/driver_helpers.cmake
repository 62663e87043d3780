# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# The functions the driver scripts of tests/cmake (run with cmake -P) share.

# Runs a command, echoes its output, and stores exit status and output in <prefix>_status
# and <prefix>_output.
function(run prefix)
  list(JOIN ARGN " " shown)
  message(STATUS "$ ${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE output
    ERROR_VARIABLE output)
  message("${output}")
  set(${prefix}_status "${status}" PARENT_SCOPE)
  set(${prefix}_output "${output}" PARENT_SCOPE)
endfunction()

# Fails the test with "FAILED: <condition_text>" unless the condition (the other arguments,
# as if() takes them) holds.
function(expect condition_text)
  if(NOT (${ARGN}))
    message(FATAL_ERROR "FAILED: ${condition_text}")
  endif()
endfunction()

# Configures the consumer project in <source> into <binary> (generator GENERATOR, Debug, perfcheck
# found in PERFCHECK_PREFIX, the C compiler C_COMPILER when set, then the cache arguments after
# <binary>) and builds it; the test fails unless both succeed. <label> names the configuration
# in the messages: "configure (<label>) succeeds".
function(configure_and_build label source binary)
  set(args -S "${source}" -B "${binary}" -G "${GENERATOR}" -DCMAKE_BUILD_TYPE=Debug
    "-DCMAKE_PREFIX_PATH=${PERFCHECK_PREFIX}" ${ARGN})
  if(C_COMPILER)
    list(APPEND args "-DCMAKE_C_COMPILER=${C_COMPILER}")
  endif()
  run(configure "${CMAKE_COMMAND}" ${args})
  expect("configure (${label}) succeeds" configure_status EQUAL 0)
  run(build "${CMAKE_COMMAND}" --build "${binary}")
  expect("build (${label}) succeeds" build_status EQUAL 0)
endfunction()
