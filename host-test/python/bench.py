"""A get-user call three ways against one mock, in one run: call_json from Rust (the
baseline), the Python package, and the sidecar over HTTP keep-alive; sequential, then 8
threads. Prints the table BENCHMARKS.md keeps.

    PROFILE=release host-test/python/bench.sh
"""

import http.client
import json
import os
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from okta_nodes import Host, Mock

N = int(os.environ.get("BENCH_CALLS", "2000"))
BIN = os.environ["OKTA_NODES_BIN"]
REQUEST = {"user-id": "ada.lovelace@example.com"}


def per_call(seconds, calls):
    return seconds / calls * 1e6


def main():
    with Mock() as mock:
        conn = mock.connection()
        host = Host(route_to=mock.url)
        for _ in range(200):
            host.call("users.get-user", conn, REQUEST)
        rust = host._native._repeat("users.get-user", json.dumps(conn), json.dumps(REQUEST), N)
        started = time.perf_counter()
        for _ in range(N):
            host.call("users.get-user", conn, REQUEST)
        python = time.perf_counter() - started

        port_socket = __import__("socket").socket()
        port_socket.bind(("127.0.0.1", 0))
        port = port_socket.getsockname()[1]
        port_socket.close()
        env = dict(os.environ, OKTA_NODES_SECRET="bench-secret")
        sidecar = subprocess.Popen(
            [BIN, "serve", "--listen", f"127.0.0.1:{port}", "--route-to", mock.url],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        body = json.dumps({"connection": conn, "input": REQUEST})
        headers = {"Authorization": "Bearer bench-secret", "Content-Type": "application/json"}

        def over_http(calls):
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for _ in range(calls):
                client.request("POST", "/v1/nodes/users.get-user", body=body, headers=headers)
                response = client.getresponse()
                response.read()
                assert response.status == 200, response.status
            client.close()

        for _ in range(100):
            try:
                over_http(1)
                break
            except OSError:
                time.sleep(0.1)
        over_http(200)
        started = time.perf_counter()
        over_http(N)
        http_seq = time.perf_counter() - started

        with ThreadPoolExecutor(8) as pool:
            started = time.perf_counter()
            list(pool.map(lambda _: host.call("users.get-user", conn, REQUEST), range(N)))
            python_8 = time.perf_counter() - started
            started = time.perf_counter()
            list(pool.map(lambda _: over_http(N // 8), range(8)))
            http_8 = time.perf_counter() - started
        sidecar.terminate()
        sidecar.wait()

    rows = [
        ("call_json from Rust, sequential", per_call(rust, N), 1.0),
        ("okta_nodes Host.call, sequential", per_call(python, N), python / rust),
        ("sidecar POST over keep-alive, sequential", per_call(http_seq, N), http_seq / rust),
        ("okta_nodes Host.call, 8 threads", per_call(python_8, N), python_8 / rust),
        ("sidecar, 8 connections", per_call(http_8, N // 8 * 8), http_8 / rust),
    ]
    print(f"get-user against the mock, {N} calls each (µs per call; x: against call_json sequential)")
    for name, us, ratio in rows:
        print(f"  {name:<42} {us:8.0f} µs  {ratio:5.2f}x")


if __name__ == "__main__":
    main()
