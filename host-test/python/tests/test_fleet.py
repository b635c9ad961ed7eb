"""Two Python hosts on one Redis spend one budget: the options reach the host as given."""

import pathlib
import socket
import subprocess
import time

import pytest

from okta_nodes import Host, Mock, OktaError

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture()
def redis_url():
    server = subprocess.run(
        [str(ROOT / "scripts/redis-server")], check=True, capture_output=True, text=True
    ).stdout.strip()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.01)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait()


def test_two_hosts_on_one_redis_keep_one_budget(redis_url):
    # Okta's 2,000 a minute for GET /api/v1/users/{id}, scaled to 10; 20% left to others.
    with Mock(rate_limit_scale=0.005) as mock:
        seal = "python-fleet-seal-key-0123456789abcdef"
        hosts = [
            Host(route_to=mock.url, govern=0.2, redis=redis_url, seal_key=seal) for _ in range(2)
        ]
        conn = mock.connection(deadline_ms=2000)
        kinds = []
        for i in range(10):
            try:
                hosts[i % 2].call("users.get-user", conn, {"user-id": "ada.lovelace@example.com"})
                kinds.append("ok")
            except OktaError as err:
                kinds.append(err.kind)
                assert err.reset_at
        assert kinds == ["ok"] * 8 + ["rate-limited"] * 2
        assert mock.requests() == 8


def test_fleet_options_are_checked():
    with pytest.raises(ValueError):
        Host(govern=1.5)
    with pytest.raises(ValueError, match="32 bytes"):
        Host(redis="redis://127.0.0.1:1", seal_key="short")
    with pytest.raises(ValueError, match="with redis"):
        Host(seal_key="x" * 40)
