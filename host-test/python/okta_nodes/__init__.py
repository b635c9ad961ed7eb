"""The Okta Management nodes for Python flow engines.

A thin shell over the Rust host (``okta_host``): every call goes through
``call_json`` and gives the same JSON as every other host. A node's own error is
raised as :class:`OktaError`, whose fields are the ``okta-error`` record's; a
failure of the host itself (an unknown node, input that is not JSON) is a
:class:`HostError`.

    from okta_nodes import Host

    host = Host()
    conn = {"domain": "dev-123456.okta.com", "auth": {"api-token": token}}
    user = host.call("users.get-user", conn, {"user-id": "ada@example.com"})
"""

from __future__ import annotations

import asyncio
import json
from os import PathLike
from typing import Any, Optional, Union

from ._okta_nodes import NativeHost, NativeMock

__all__ = ["Host", "OktaError", "HostError", "Mock", "Connection"]

#: The WIT ``connection`` record as JSON; the stub (``__init__.pyi``) spells its fields out.
Connection = dict[str, Any]


class HostError(RuntimeError):
    """The host failed: an unknown node, input that is not JSON, or a fault of the host."""


class OktaError(Exception):
    """A node's error: the ``okta-error`` record, its fields as attributes.

    ``kind`` is what a flow branches on (``not-found``, ``rate-limited``, ...);
    ``error`` is the whole record as the JSON every host gives.
    """

    def __init__(self, error: dict[str, Any]):
        super().__init__(f"{error.get('kind')}: {error.get('message')}")
        self.error = error
        self.kind: str = error.get("kind", "")
        self.message: str = error.get("message", "")
        self.status: Optional[int] = error.get("status")
        self.error_code: Optional[str] = error.get("error-code")
        self.error_causes: list[str] = error.get("error-causes") or []
        self.error_id: Optional[str] = error.get("error-id")
        self.request_id: Optional[str] = error.get("request-id")
        self.reset_at: Optional[int] = error.get("reset-at")
        self.retryable: bool = bool(error.get("retryable"))
        self.attempts: int = error.get("attempts") or 0

    def __repr__(self) -> str:
        return f"OktaError(kind={self.kind!r}, message={self.message!r}, status={self.status!r})"


def _answer(ok: bool, text: str) -> Any:
    value = json.loads(text)
    if ok:
        return value
    raise OktaError(value)


def _texts(connection: dict[str, Any], request: Any) -> tuple[str, str]:
    return json.dumps(connection), json.dumps({} if request is None else request)


class Host:
    """The host: one per process is enough; it is safe to share between threads.

    ``route_to`` sends every org's traffic to a base URL instead (a mock);
    ``deadline_ms`` is the longest one call may take; ``max_instances`` bounds the
    instances alive at once; ``component`` loads another build of the component;
    ``workers`` is the number of threads the calls run on. ``govern`` (a fraction, 0.2 say)
    holds each request to its org's rate-limit window and leaves that part of it to the
    org's other clients; ``redis`` (a ``redis://`` URL) shares the windows with every host
    on it, and with ``seal_key`` (a secret of 32 bytes or more) the service apps' tokens,
    sealed, too.
    """

    def __init__(
        self,
        *,
        route_to: Optional[str] = None,
        deadline_ms: Optional[int] = None,
        max_instances: Optional[int] = None,
        component: Optional[Union[str, PathLike[str]]] = None,
        cache_dir: Optional[Union[str, PathLike[str]]] = None,
        workers: Optional[int] = None,
        govern: Optional[float] = None,
        redis: Optional[str] = None,
        seal_key: Optional[str] = None,
    ):
        self._native = NativeHost(
            route_to=route_to,
            deadline_ms=deadline_ms,
            max_instances=max_instances,
            component=component,
            cache_dir=cache_dir,
            workers=workers,
            govern=govern,
            redis=redis,
            seal_key=seal_key,
        )

    @property
    def package(self) -> str:
        """The WIT package, such as ``okta:management@0.6.0``."""
        return self._native.package

    def call(self, node: str, connection: dict[str, Any], request: Any = None) -> Any:
        """Runs a node and returns its output; raises :class:`OktaError` for its error.

        ``connection`` is the WIT ``connection`` record as JSON (the catalog's
        ``connection-schema``); ``request`` the node's input. The interpreter is
        released while the call runs.
        """
        conn, text = _texts(connection, request)
        try:
            ok, answer = self._native.call(node, conn, text)
        except RuntimeError as err:
            raise HostError(str(err)) from None
        return _answer(ok, answer)

    async def call_async(
        self, node: str, connection: dict[str, Any], request: Any = None
    ) -> Any:
        """:meth:`call` for asyncio: the call runs on the host's threads, not the loop's."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[bool, str, Optional[str]]] = loop.create_future()

        def settle(answer: tuple[bool, str, Optional[str]]) -> None:
            if not future.done():
                future.set_result(answer)

        def done(ok: bool, text: str, failure: Optional[str]) -> None:
            try:
                loop.call_soon_threadsafe(settle, (ok, text, failure))
            except RuntimeError:
                pass  # The loop has closed: no one awaits this call any more.

        conn, text = _texts(connection, request)
        self._native.call_soon(node, conn, text, done)
        ok, answer, failure = await future
        if failure is not None:
            raise HostError(failure)
        return _answer(ok, answer)

    def nodes(self) -> list[dict[str, Any]]:
        """Every node's record, as ``okta-nodes list --json`` prints them."""
        return json.loads(self._native.nodes())

    def schema(self) -> dict[str, Any]:
        """The catalog's JSON Schema document: every request, output and type."""
        return json.loads(self._native.schema())

    def describe(self, node: str) -> dict[str, Any]:
        """One node's record; ``KeyError`` for an unknown id."""
        text = self._native.describe(node)
        if text is None:
            raise KeyError(node)
        return json.loads(text)

    def __repr__(self) -> str:
        return f"Host({self.package})"


class Mock:
    """A mock Okta org on loopback, seeded with the demo org: for tests.

    ``connection()`` gives a connection to it; a :class:`Host` reaches it with
    ``route_to=mock.url``.
    """

    DOMAIN = "dev-000000.okta.com"

    def __init__(
        self,
        *,
        seed: bool = True,
        latency_ms: Optional[int] = None,
        rate_limit_scale: float = 0.0,
        faults: Optional[list[dict[str, Any]]] = None,
    ):
        self._native = NativeMock(
            seed=seed,
            latency_ms=latency_ms,
            rate_limit_scale=rate_limit_scale,
            faults=[json.dumps(f) for f in faults or []],
        )

    @property
    def url(self) -> str:
        """The mock's base URL."""
        return self._native.url

    def connection(self, **options: Any) -> dict[str, Any]:
        """A connection to the mock's org with its API token; ``options`` as the WIT
        ``options`` record names them (``deadline_ms`` for ``deadline-ms``)."""
        conn: dict[str, Any] = {
            "domain": self.DOMAIN,
            "auth": {"api-token": self._native.token},
        }
        if options:
            conn["options"] = {k.replace("_", "-"): v for k, v in options.items()}
        return conn

    def requests(self) -> int:
        """How many requests reached the mock."""
        return self._native.requests()

    def close(self) -> None:
        """Stops the mock."""
        self._native.close()

    def __enter__(self) -> "Mock":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Mock(url={self.url!r})"
