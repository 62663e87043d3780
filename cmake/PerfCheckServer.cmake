# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT

#[=======================================================================[.rst:
PerfCheckServer
---------------

Included by ``PerfCheck.cmake``. A server under test: started before the perf tests that
name it, checked until it is ready, and stopped after them, however they ended.

.. command:: add_perf_server

  Register a server under test as a CTest fixture::

    add_perf_server(NAME <name>
                    COMMAND <command> [<arg>...]
                    [PORT auto|<port>]
                    [READY http <path> [STATUS <code>] | tcp | log <regex> | none]
                    [READY_TIMEOUT <duration>]
                    [GRACE <duration>]
                    [THRESHOLDS <expression>...]
                    [ENVIRONMENT <VAR=value>...]
                    [WORKING_DIRECTORY <dir>]
                    [LIMITS <kind> <value>...]
    )

  and name it in a perf test: ``add_perf_test(NAME ... SERVER <name> COMMAND client {port})``.
  The function adds two CTest tests, ``perfcheck_server_<name>_start`` (``FIXTURES_SETUP``) and
  ``perfcheck_server_<name>_stop`` (``FIXTURES_CLEANUP``) of the fixture
  ``perfcheck_server_<name>``, both labelled ``perf``; they run ``perfcheck server start`` and
  ``perfcheck server stop``. CTest runs the cleanup after the last test that requires the
  fixture, also when tests failed or timed out.

  The server runs under a perfcheck supervisor, in its own session and process group, with
  standard input from ``/dev/null`` and its output in
  ``${CMAKE_BINARY_DIR}/perf-servers/<name>.out`` and ``.err`` (never in CTest's pipes). Stopping
  sends SIGTERM to its whole tree (children that detached included), and SIGKILL to what is left
  after ``GRACE``. The supervisor also stops everything when ``ctest`` ends, even by
  ``kill -9``. See ``docs/servers.md``.

  ``NAME <name>``
    Required. Letters, digits, ``_``, ``-`` and ``.``; unique in the project.

  ``COMMAND <command> [<arg>...]``
    Required. The server and its arguments, run without a shell; a target name as the program
    is the target's file. ``{port}`` in an argument is the server's port.

  ``PORT auto|<port>``
    ``auto``: a free port on 127.0.0.1, picked when the server starts; or a fixed port.
    The server gets it as ``{port}`` and in ``PERFCHECK_SERVER_PORT``, and so does every
    test that names the server (also as ``PERFCHECK_SERVER_<NAME>_PORT``). Default: no port.

  ``READY http <path> [STATUS <code>] | tcp | log <regex> | none``
    When the server is ready: an HTTP/1.1 ``GET <path>`` on 127.0.0.1 answers ``<code>``
    (default 200); a TCP connect succeeds; a line of its output matches ``<regex>``
    (ECMAScript); or at once. Default: ``tcp`` with a ``PORT``, else ``none``.

  ``READY_TIMEOUT <duration>``
    How long the check may take to pass, e.g. ``30s``; then the server is stopped and the
    setup test fails, saying which check did not pass. Default: ``10s``.

  ``GRACE <duration>``
    Between SIGTERM and SIGKILL when the server is stopped. Default: ``5s``.

  ``THRESHOLDS <expression>...``
    Gates on the start-up: ``"server.ready < 500ms"`` (the time from the start to the check
    passing) fails the setup test, and so the tests that need the server. Default: none.

  ``ENVIRONMENT <VAR=value>...``
    Variables for the server on top of the inherited environment; ``{port}`` works in values.
    Default: none.

  ``WORKING_DIRECTORY <dir>``
    Where the server runs. Default: ``CMAKE_CURRENT_BINARY_DIR``.

  ``LIMITS <kind> <value>...``
    Limits of the server's whole tree while it serves: ``MEMORY <size>`` (summed resident memory)
    and ``CPU_TIME <duration>`` (user + system time since it started), checked every 50 ms. Past
    one, the tree is killed, the tests that run then fail (an ``error`` naming the limit) and so
    does the cleanup test. Default: none.

  A perf test that names the server is measured on it too: ``server.rss``, ``server.cpu`` and
  ``server.threads`` during each run, gateable (``"server.rss.max < 50MB"``,
  ``"server.rss.growth < 5%"`` in a soak), and the server's logs are its
  ``ATTACHED_FILES_ON_FAIL``.

  Example:

  .. code-block:: cmake

    add_perf_server(NAME api COMMAND api_server --port {port} PORT auto
      READY http /health READY_TIMEOUT 20s THRESHOLDS "server.ready < 500ms")
    add_perf_test(NAME api_smoke SERVER api
      COMMAND smoke_client http://127.0.0.1:{port}/ THRESHOLDS "wall.p95 < 50ms")

#]=======================================================================]

function(add_perf_server)
  set(one_value_keywords NAME PORT READY_TIMEOUT GRACE WORKING_DIRECTORY)
  set(multi_value_keywords COMMAND READY ENVIRONMENT THRESHOLDS LIMITS)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "${one_value_keywords}" "${multi_value_keywords}")
  set(call "add_perf_server(NAME ${arg_NAME})")
  if(DEFINED arg_UNPARSED_ARGUMENTS)
    list(JOIN arg_UNPARSED_ARGUMENTS "' '" unknown)
    string(REPLACE ";" "' '" keywords "${one_value_keywords};${multi_value_keywords}")
    message(FATAL_ERROR "${call}: unknown argument(s) '${unknown}'. The keywords are "
      "'${keywords}'; every value follows its keyword.")
  endif()
  if(NOT arg_NAME MATCHES "^[A-Za-z0-9_-][A-Za-z0-9_.-]*$" OR arg_NAME MATCHES "^.{65}")
    message(FATAL_ERROR "add_perf_server(NAME '${arg_NAME}'): the NAME must be 1 to 64 letters, "
      "digits, '_', '-' or '.', e.g. NAME web_api.")
  endif()
  if(NOT DEFINED arg_COMMAND)
    message(FATAL_ERROR "${call}: COMMAND is missing; give the server and its arguments, e.g. "
      "COMMAND my_server --port {port}.")
  endif()
  get_property(servers GLOBAL PROPERTY PERFCHECK_SERVERS)
  if(arg_NAME IN_LIST servers)
    get_property(first_dir GLOBAL PROPERTY "_PERFCHECK_SERVER_DECLARED_IN_${arg_NAME}")
    message(FATAL_ERROR "${call}: a server named '${arg_NAME}' is already declared (in "
      "${first_dir}, and again in ${CMAKE_CURRENT_SOURCE_DIR}); server names are unique in "
      "the project: choose another NAME.")
  endif()
  _perfcheck_server_start_flags("${call}" flags timeout)
  set_property(GLOBAL APPEND PROPERTY PERFCHECK_SERVERS "${arg_NAME}")
  set_property(GLOBAL PROPERTY "_PERFCHECK_SERVER_DECLARED_IN_${arg_NAME}" "${CMAKE_CURRENT_SOURCE_DIR}")
  _perfcheck_resolve_program(command arg_COMMAND)
  set(state_dir "${CMAKE_BINARY_DIR}/perf-servers")
  set(fixture "perfcheck_server_${arg_NAME}")
  add_test(NAME "${fixture}_start" COMMAND PerfCheck::perfcheck server start --name "${arg_NAME}"
    --state-dir "${state_dir}" ${flags} -- ${command})
  add_test(NAME "${fixture}_stop" COMMAND PerfCheck::perfcheck server stop --name "${arg_NAME}"
    --state-dir "${state_dir}")
  set_tests_properties("${fixture}_start" PROPERTIES FIXTURES_SETUP "${fixture}" LABELS perf
    TIMEOUT "${timeout}")
  set_tests_properties("${fixture}_stop" PROPERTIES FIXTURES_CLEANUP "${fixture}" LABELS perf
    TIMEOUT 180)
endfunction()

# The options of `perfcheck server start` from the call into `out_flags`, and the start test's
# CTest TIMEOUT (the ready timeout and a minute) into `out_timeout`. Reads the caller's arg_*.
function(_perfcheck_server_start_flags call out_flags out_timeout)
  set(flags "")
  if(DEFINED arg_PORT)
    if(NOT arg_PORT MATCHES "^(auto|[1-9][0-9]?[0-9]?[0-9]?[0-9]?)$" OR arg_PORT GREATER 65535)
      message(FATAL_ERROR "${call}: PORT '${arg_PORT}' is not a port; write PORT auto or a "
        "number from 1 to 65535.")
    endif()
    list(APPEND flags --port "${arg_PORT}")
  endif()
  _perfcheck_server_ready("${call}" ready)
  if(NOT ready STREQUAL "")
    list(APPEND flags "--ready=${ready}")
  endif()
  if(NOT DEFINED arg_READY_TIMEOUT)
    set(arg_READY_TIMEOUT 10s)
  endif()
  _perfcheck_duration_ns("${call}" READY_TIMEOUT "${arg_READY_TIMEOUT}" ready_ns)
  list(APPEND flags --ready-timeout "${arg_READY_TIMEOUT}")
  if(DEFINED arg_GRACE)
    _perfcheck_duration_ns("${call}" GRACE "${arg_GRACE}" grace_ns)
    list(APPEND flags --grace "${arg_GRACE}")
  endif()
  foreach(threshold IN LISTS arg_THRESHOLDS)
    list(APPEND flags "--threshold=${threshold}")
  endforeach()
  foreach(entry IN LISTS arg_ENVIRONMENT)
    list(APPEND flags "--env=${entry}")
  endforeach()
  _perfcheck_server_limits("${call}" limit_flags)
  list(APPEND flags ${limit_flags})
  if(NOT DEFINED arg_WORKING_DIRECTORY)
    set(arg_WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  get_filename_component(cwd "${arg_WORKING_DIRECTORY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  list(APPEND flags --cwd "${cwd}")
  math(EXPR timeout "60 + (${ready_ns} + 999999999) / 1000000000")
  set(${out_flags} "${flags}" PARENT_SCOPE)
  set(${out_timeout} "${timeout}" PARENT_SCOPE)
endfunction()

# LIMITS MEMORY <size> CPU_TIME <duration> as --limit flags: the kinds checked here, the values
# by `perfcheck server start` (exit 2 naming the value).
function(_perfcheck_server_limits call out)
  _perfcheck_check_pairs("${call}" LIMITS "${arg_LIMITS}" kind "MEMORY 256MiB CPU_TIME 60s")
  set(flags "")
  set(kind "")
  foreach(word IN LISTS arg_LIMITS)
    if(kind STREQUAL "")
      string(TOUPPER "${word}" kind)
      if(NOT kind MATCHES "^(MEMORY|CPU_TIME)$")
        message(FATAL_ERROR "${call}: LIMITS '${word}' is not a limit of a server; a server takes "
          "MEMORY and CPU_TIME (of its whole tree while it serves), e.g. LIMITS MEMORY 256MiB.")
      endif()
    else()
      if(kind STREQUAL "CPU_TIME")
        _perfcheck_duration_ns("${call}" "LIMITS CPU_TIME" "${word}" ignored_ns)
      endif()
      list(APPEND flags "--limit=${kind}=${word}")
      set(kind "")
    endif()
  endforeach()
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()

# READY http <path> [STATUS <code>] | tcp | log <regex> | none as the --ready value.
function(_perfcheck_server_ready call out)
  set(words ${arg_READY})
  list(LENGTH words count)
  set(ready "")
  if(count GREATER 0)
    list(GET words 0 kind)
  endif()
  if(count EQUAL 0)
  elseif(kind STREQUAL "http" AND (count EQUAL 2 OR count EQUAL 4))
    list(GET words 1 path)
    set(ready "http:${path}")
    if(count EQUAL 4)
      list(GET words 2 status_word)
      list(GET words 3 status)
      if(NOT status_word STREQUAL "STATUS" OR NOT status MATCHES "^[1-5][0-9][0-9]$")
        message(FATAL_ERROR "${call}: READY '${arg_READY}': after the path comes STATUS and an "
          "HTTP status code, e.g. READY http /health STATUS 204.")
      endif()
      string(APPEND ready ":${status}")
    endif()
  elseif(kind MATCHES "^(tcp|none)$" AND count EQUAL 1)
    set(ready "${kind}")
  elseif(kind STREQUAL "log" AND count EQUAL 2)
    list(GET words 1 regex)
    set(ready "log:${regex}")
  else()
    list(JOIN words " " shown)
    message(FATAL_ERROR "${call}: READY '${shown}' is not a check; write READY http <path> "
      "[STATUS <code>], READY tcp, READY log <regex> or READY none.")
  endif()
  set(${out} "${ready}" PARENT_SCOPE)
endfunction()

# For add_perf_test(... SERVER <name> CLIENT wrk): the spec's `server` (its name and state
# folder) and `client` members, appended to `out_spec`; fails naming the fix for a CLIENT other
# than wrk. Reads the caller's arg_SERVER and arg_CLIENT.
function(_perfcheck_spec_served out_spec call)
  set(spec "${${out_spec}}")
  if(DEFINED arg_SERVER)
    _perfcheck_json_string(server_name "${arg_SERVER}")
    _perfcheck_json_string(server_state_dir "${CMAKE_BINARY_DIR}/perf-servers")
    _perfcheck_spec_member(spec server "{\"name\": ${server_name}, \"state_dir\": ${server_state_dir}}")
  endif()
  if(DEFINED arg_CLIENT)  # a load client whose output perfcheck reads (docs/servers.md)
    if(NOT arg_CLIENT STREQUAL "wrk")
      message(FATAL_ERROR "${call}: CLIENT '${arg_CLIENT}' is not a client perfcheck reads; the one it "
        "knows is wrk (a client of your own reports through the metric channel, docs/metrics.md).")
    endif()
    _perfcheck_spec_string(spec client "${arg_CLIENT}")
  endif()
  set(${out_spec} "${spec}" PARENT_SCOPE)
endfunction()

# For add_perf_test(... SERVER <name>): fails unless the server is declared (before the test);
# sets `out_fixture` and `out_state_dir`.
function(_perfcheck_server_of call name out_fixture out_state_dir)
  get_property(servers GLOBAL PROPERTY PERFCHECK_SERVERS)
  if(NOT name IN_LIST servers)
    list(JOIN servers ", " known)
    if(known STREQUAL "")
      set(known "none")
    endif()
    message(FATAL_ERROR "${call}: SERVER '${name}' names no server; declare it with "
      "add_perf_server(NAME ${name} COMMAND ...) before this add_perf_test. The servers "
      "declared so far: ${known}.")
  endif()
  set(${out_fixture} "perfcheck_server_${name}" PARENT_SCOPE)
  set(${out_state_dir} "${CMAKE_BINARY_DIR}/perf-servers" PARENT_SCOPE)
endfunction()
