# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# Runs one misuse case of add_perf_test (misuse/CMakeLists.txt, CASE=<case>) and checks that
# it fails at the expected stage with the expected message.
#   cmake -DCASE=... -DSTAGE=configure|build|warning -DEXPECT=<regex> -DSOURCE_DIR=<misuse>
#         -DBINARY_DIR=... -DPERFCHECK_PREFIX=... [-DEXTRA=<cache entry>] -P misuse_test.cmake
# STAGE configure: configuring fails; build: configuring succeeds and building fails;
# warning: configuring succeeds with a warning. EXPECT must match the output of that step.
foreach(var CASE STAGE EXPECT SOURCE_DIR BINARY_DIR PERFCHECK_PREFIX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "misuse_test.cmake: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${BINARY_DIR}")
set(extra "")
if(DEFINED EXTRA)
  set(extra "-D${EXTRA}")
endif()
execute_process(
  COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${BINARY_DIR}" -G Ninja "-DCASE=${CASE}"
    "-DCMAKE_PREFIX_PATH=${PERFCHECK_PREFIX}" ${extra}
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
message("${output}")
if(STAGE STREQUAL "configure")
  if(status EQUAL 0)
    message(FATAL_ERROR "FAILED: configuring case '${CASE}' succeeded; it must fail")
  endif()
elseif(NOT status EQUAL 0)
  message(FATAL_ERROR "FAILED: configuring case '${CASE}' failed; only the ${STAGE} step may")
elseif(STAGE STREQUAL "build")
  execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BINARY_DIR}"
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  message("${output}")
  if(status EQUAL 0)
    message(FATAL_ERROR "FAILED: building case '${CASE}' succeeded; it must fail")
  endif()
endif()
# CMake wraps long messages; compare with single spaces.
string(REGEX REPLACE "[ \t\r\n]+" " " flat "${output}")
if(NOT flat MATCHES "${EXPECT}")
  message(FATAL_ERROR "FAILED: the output of case '${CASE}' does not match: ${EXPECT}")
endif()
message(STATUS "case '${CASE}' failed as expected")
