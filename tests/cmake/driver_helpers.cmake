# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# The two functions every driver script of tests/cmake (run with cmake -P) uses.

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
