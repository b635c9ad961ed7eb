"""`okta-nodes serve`, the sidecar for engines in any language, from the outside: its
OpenAPI document, its answers, its secret, its limits, a load of calls and its drain."""

import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from okta_nodes import Mock

ROOT = Path(__file__).resolve().parents[3]
BIN = os.environ.get("OKTA_NODES_BIN", str(ROOT / "target" / "debug" / "okta-nodes"))
SECRET = "SENTINEL-sidecar-secret-77"
ADA = "ada.lovelace@example.com"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sidecar:
    def __init__(self, route_to, *extra, secret=SECRET):
        self.port = free_port()
        env = dict(os.environ)
        env.pop("OKTA_NODES_SECRET", None)
        if secret is not None:
            env["OKTA_NODES_SECRET"] = secret
        self.process = subprocess.Popen(
            [BIN, "serve", "--listen", f"127.0.0.1:{self.port}", "--route-to", route_to, *extra],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stderr.read())
                time.sleep(0.05)
        raise RuntimeError("the sidecar did not start")

    def request(self, method, path, body=None, secret=SECRET, conn=None):
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["Authorization"] = f"Bearer {secret}"
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        headers = dict(response.getheaders())
        is_json = headers.get("content-type", "").startswith("application/json")
        return response.status, headers, json.loads(raw) if is_json else raw.decode()

    def call(self, node, connection, request, **kw):
        return self.request("POST", f"/v1/nodes/{node}", {"connection": connection, "input": request}, **kw)

    def stop(self):
        """Stops the sidecar; returns what it wrote on stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
            return self.process.stderr.read()
        finally:
            self.process.stderr.close()


@pytest.fixture(scope="module")
def sidecar(mock):
    service = Sidecar(mock.url)
    yield service
    service.stop()


def test_the_openapi_document_is_valid_and_names_every_node(sidecar, host):
    status, _, document = sidecar.request("GET", "/v1/openapi.json")
    assert status == 200
    validate(document)
    nodes = {n["id"] for n in host.nodes()}
    assert {p.removeprefix("/v1/nodes/") for p in document["paths"] if p.startswith("/v1/nodes/")} == nodes
    get_user = document["paths"]["/v1/nodes/users.get-user"]["post"]
    assert get_user["operationId"] == "usersGetUser"
    body = get_user["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["input"] == {"$ref": "#/components/schemas/users.get-user-request"}
    assert "#/$defs/" not in json.dumps(document)


def test_a_node_answers_with_its_output_or_its_error_as_a_status(sidecar, mock):
    conn = mock.connection()
    status, _, user = sidecar.call("users.get-user", conn, {"user-id": ADA})
    assert status == 200 and user["profile"]["login"] == ADA
    for request, expected, kind in [
        ({"user-id": "nobody@example.com"}, 404, "not-found"),
        ({"user-id": 7}, 400, "invalid-input"),
    ]:
        status, _, error = sidecar.call("users.get-user", conn, request)
        assert (status, error["kind"]) == (expected, kind)
    status, _, error = sidecar.call("users.get-user", {"domain": "x"}, {"user-id": ADA})
    assert (status, error["kind"]) == (400, "invalid-input")
    status, _, answer = sidecar.call(
        "triggers.answer-verification",
        None,
        {"headers": [{"name": "X-Okta-Verification-Challenge", "value": "abc"}]},
    )
    assert (status, answer) == (200, '{"verification":"abc"}')


def test_the_service_refuses_what_is_not_a_call(sidecar, mock):
    assert sidecar.request("GET", "/v1/nodes", secret=None)[0] == 401
    assert sidecar.request("GET", "/v1/nodes", secret="wrong")[0] == 401
    status, _, nodes = sidecar.request("GET", "/v1/nodes")
    assert status == 200 and len(nodes) == 71 + 729
    status, _, error = sidecar.call("operations.noSuchOperation", mock.connection(), {})
    assert status == 404 and "no node" in error["error"]
    status, _, error = sidecar.call("users.nope", mock.connection(), {})
    assert status == 404 and "no node" in error["error"]
    assert sidecar.request("POST", "/v1/nodes/users.get-user", b"[1]")[0] == 400
    assert sidecar.request("POST", "/v1/nodes/users.get-user", {"conn": {}})[0] == 400
    too_large = b'{"input": "' + b"x" * (18 << 20) + b'"}'
    assert sidecar.request("POST", "/v1/nodes/users.get-user", too_large)[0] == 413
    assert sidecar.request("GET", "/healthz", secret=None)[0] == 200
    assert sidecar.request("GET", "/readyz", secret=None)[0] == 200


def test_a_thousand_calls_over_fifty_connections(sidecar, mock):
    conn = mock.connection()

    def fifty(_):
        client = http.client.HTTPConnection("127.0.0.1", sidecar.port, timeout=60)
        statuses = [
            sidecar.call("users.get-user", conn, {"user-id": ADA}, conn=client)[0]
            for _ in range(20)
        ]
        client.close()
        return statuses

    with ThreadPoolExecutor(50) as pool:
        statuses = [s for batch in pool.map(fifty, range(50)) for s in batch]
    assert len(statuses) == 1000 and set(statuses) == {200}


def test_a_drain_finishes_calls_in_flight_and_refuses_new_ones():
    with Mock(faults=[{"effect": "delay", "delay-ms": 1500}]) as slow:
        service = Sidecar(slow.url)
        slow_answer = {}

        def slow_call():
            slow_answer["status"] = service.call(
                "users.get-user", slow.connection(), {"user-id": ADA}
            )[0]

        caller = threading.Thread(target=slow_call)
        caller.start()
        time.sleep(0.5)
        service.process.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        status, _, _ = service.call("users.get-user", slow.connection(), {"user-id": ADA})
        ready = service.request("GET", "/readyz", secret=None)[0]
        caller.join(30)
        assert (status, ready) == (503, 503)
        assert slow_answer["status"] == 200, "the call in flight finished"
        assert service.process.wait(timeout=30) == 0
        service.stop()


def test_beyond_loopback_it_needs_a_secret():
    process = subprocess.run(
        [BIN, "serve", "--listen", "0.0.0.0:0"],
        env={k: v for k, v in os.environ.items() if k != "OKTA_NODES_SECRET"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode != 0 and "needs a secret" in process.stderr


def test_no_secret_in_what_the_sidecar_says(sidecar, mock):
    wrong = {"domain": mock.DOMAIN, "auth": {"api-token": SECRET + "-token"}}
    status, headers, error = sidecar.call("users.get-user", wrong, {"user-id": ADA})
    assert status == 401 and error["kind"] == "unauthorized"
    assert SECRET not in json.dumps(error) and SECRET not in json.dumps(headers)


def test_metrics_count_calls_and_exchanges_and_need_the_secret(sidecar, mock):
    conn = mock.connection()
    sidecar.call("users.get-user", conn, {"user-id": ADA})
    sidecar.call("users.get-user", conn, {"user-id": "nobody@example.com"})
    status, _, _ = sidecar.request("GET", "/metrics", secret=None)
    assert status == 401
    status, headers, text = sidecar.request("GET", "/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    lines = text.splitlines()
    ok = [l for l in lines if l.startswith('okta_calls_total{node="users.get-user"') and 'outcome="ok"' in l]
    missing = [l for l in lines if l.startswith("okta_calls_total") and 'error_kind="not-found"' in l]
    assert ok and missing, text
    assert any(l.startswith("okta_http_requests_total") and 'route="/api/v1/users/{id}"' in l and 'status="404"' in l for l in lines)
    assert any(l.startswith("okta_rate_limit_remaining{") for l in lines)
    assert any(l.startswith("okta_call_duration_seconds_bucket{") for l in lines)
    # The org is hashed, the user's login is nowhere, nor the secret or the token.
    assert mock.DOMAIN not in text and ADA not in text and SECRET not in text
    assert conn["auth"]["api-token"] not in text


def test_json_lines_log_every_call_without_secrets(mock):
    service = Sidecar(mock.url, "--log", "json")
    try:
        conn = mock.connection()
        status, _, _ = service.call("users.get-user", conn, {"user-id": ADA})
        assert status == 200
    finally:
        log = service.stop()
    records = [json.loads(l) for l in log.splitlines() if l.startswith("{")]
    spans = [r["span"] for r in records if "span" in r]
    assert any(s.get("name") == "okta.call" and s.get("okta.outcome") == "ok" for s in spans), log
    assert any(s.get("name") == "okta.http" and s.get("http.response.status_code") == 200 for s in spans), log
    assert ADA not in log and SECRET not in log and conn["auth"]["api-token"] not in log
