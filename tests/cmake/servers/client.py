#!/usr/bin/env python3
# Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
"""client.py PORT SERVER [--hang | --loop MARK]: one GET of http://127.0.0.1:PORT/, after
checking that PORT is what PERFCHECK_SERVER_PORT and PERFCHECK_SERVER_<SERVER>_PORT say; then
--hang sleeps (a CTest timeout), --loop GETs until the server is gone (exit 1)."""
import os
import sys
import time
import urllib.request

port, server = sys.argv[1], sys.argv[2]
assert port == os.environ["PERFCHECK_SERVER_PORT"] == os.environ[f"PERFCHECK_SERVER_{server.upper()}_PORT"]
url = f"http://127.0.0.1:{port}/"
if server == "web":
    assert urllib.request.urlopen(url, timeout=30).read() == b"ok\n"
if "--hang" in sys.argv:
    time.sleep(600)
if "--loop" in sys.argv:
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
        except OSError:
            sys.exit(1)
        time.sleep(0.1)
