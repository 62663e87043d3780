# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
# Fixture: installs this build of perfcheck into STAGING, then moves it to PREFIX, so the
# consumers find_package a relocated install (nothing may point back at the old prefix or
# at the build and source trees).
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DSTAGING=... -DPREFIX=... [-DCONFIG=...] -P install_perfcheck.cmake
foreach(var BUILD_DIR SOURCE_DIR STAGING PREFIX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_perfcheck.cmake: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${STAGING}" "${PREFIX}")
set(config_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${STAGING}" ${config_args}
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${status})")
endif()
file(RENAME "${STAGING}" "${PREFIX}")

foreach(expected bin/perfcheck libexec/perfcheck/perfcheck-launcher include/perfcheck/metrics.h)
  if(NOT EXISTS "${PREFIX}/${expected}")
    message(FATAL_ERROR "the install has no ${expected}")
  endif()
endforeach()
file(GLOB_RECURSE package_files "${PREFIX}/*.cmake")
if(NOT package_files MATCHES "PerfCheckConfig.cmake")
  message(FATAL_ERROR "the install has no PerfCheckConfig.cmake: ${package_files}")
endif()
foreach(file IN LISTS package_files)
  file(READ "${file}" text)
  foreach(tree "${BUILD_DIR}" "${SOURCE_DIR}" "${STAGING}")
    string(FIND "${text}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${file} names ${tree}: the install is not relocatable")
    endif()
  endforeach()
endforeach()

execute_process(COMMAND "${PREFIX}/bin/perfcheck" --version
  RESULT_VARIABLE status OUTPUT_VARIABLE version)
if(NOT status EQUAL 0 OR NOT version MATCHES "^perfcheck [0-9]")
  message(FATAL_ERROR "the installed perfcheck --version gave ${status}: ${version}")
endif()
message(STATUS "installed and relocated to ${PREFIX}: ${version}")
