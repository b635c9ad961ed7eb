"""Errors, deadlines, concurrency and secrets: the same guarantees as in Rust."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from okta_nodes import Host, HostError, Mock, OktaError

SENTINEL = "SENTINEL-secret-4242"


def test_input_of_the_wrong_shape_is_invalid_input(host, conn, mock):
    before = mock.requests()
    for bad in [{"user-id": {"a": 1}}, {"user-id": 7}, {}, {"user-id": "a", "extra": 1}]:
        with pytest.raises(OktaError) as raised:
            host.call("users.get-user", conn, bad)
        assert raised.value.kind == "invalid-input", bad
    assert mock.requests() == before, "nothing is sent"


def test_a_connection_that_is_not_one_is_invalid_input(host):
    for bad in [{}, {"domain": "x"}, {"domain": "x", "auth": {"password": SENTINEL}}]:
        with pytest.raises(OktaError) as raised:
            host.call("users.get-user", bad, {"user-id": "a"})
        assert raised.value.kind == "invalid-input"
        assert SENTINEL not in str(raised.value) and SENTINEL not in repr(raised.value)


def test_an_unknown_node_is_a_host_error(host, conn):
    with pytest.raises(HostError, match="no node `users.nope`"):
        host.call("users.nope", conn, {})


def test_a_call_ends_by_its_deadline():
    with Mock(latency_ms=3000) as slow:
        host = Host(route_to=slow.url)
        with pytest.raises(OktaError) as raised:
            host.call("users.get-user", slow.connection(deadline_ms=300), {"user-id": "a"})
        assert raised.value.kind == "timeout"


def test_calls_from_many_threads(host, conn):
    def one(i):
        return host.call("users.get-user", conn, {"user-id": "ada.lovelace@example.com"})["id"]

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(one, range(200)))
    assert len(set(ids)) == 1 and len(ids) == 200


def test_calls_from_asyncio(host, conn):
    async def many():
        calls = [
            host.call_async("users.get-user", conn, {"user-id": "ada.lovelace@example.com"})
            for _ in range(200)
        ]
        missing = host.call_async("users.get-user", conn, {"user-id": "nobody@example.com"})
        found = await asyncio.gather(*calls)
        with pytest.raises(OktaError) as raised:
            await missing
        return found, raised.value

    found, missing = asyncio.run(many())
    assert len({u["id"] for u in found}) == 1
    assert missing.kind == "not-found"


def test_an_unknown_node_is_a_host_error_in_asyncio_too(host, conn):
    with pytest.raises(HostError):
        asyncio.run(host.call_async("users.nope", conn, {}))


def test_no_secret_in_any_repr_or_exception(host, mock):
    wrong = {"domain": mock.DOMAIN, "auth": {"api-token": SENTINEL}}
    with pytest.raises(OktaError) as raised:
        host.call("users.get-user", wrong, {"user-id": "ada.lovelace@example.com"})
    err = raised.value
    assert err.kind == "unauthorized"
    app = {
        "domain": mock.DOMAIN,
        "auth": {
            "client-credentials": {
                "client-id": "0oa-unknown",
                "private-key": SENTINEL,
                "scopes": ["okta.users.read"],
            }
        },
    }
    with pytest.raises(OktaError) as minted:
        host.call("users.get-user", app, {"user-id": "ada.lovelace@example.com"})
    shown = [str(err), repr(err), str(err.error), repr(host), repr(mock)]
    shown += [str(minted.value), repr(minted.value), str(minted.value.error)]
    assert not [s for s in shown if SENTINEL in s], shown
