"""Writes the package's type stub (``__init__.pyi``) from the catalog: a ``TypedDict`` for
every request and record a request holds, and an overload of ``Host.call`` and
``Host.call_async`` per node, so an IDE shows each node's input fields.

    python -m okta_nodes.stubs > host-test/python/okta_nodes/__init__.pyi

A test holds the committed stub to what this writes.
"""

from __future__ import annotations

import json
import sys
from typing import Any

HEADER = '''"""Type stub of okta_nodes, written by okta_nodes.stubs from the catalog: do not edit."""

from __future__ import annotations

from os import PathLike
from typing import Any, Literal, Optional, Union, overload

from typing_extensions import NotRequired, TypedDict

class HostError(RuntimeError): ...

class OktaError(Exception):
    error: dict[str, Any]
    kind: str
    message: str
    status: Optional[int]
    error_code: Optional[str]
    error_causes: list[str]
    error_id: Optional[str]
    request_id: Optional[str]
    reset_at: Optional[int]
    retryable: bool
    attempts: int
    def __init__(self, error: dict[str, Any]) -> None: ...

class Mock:
    DOMAIN: str
    def __init__(
        self,
        *,
        seed: bool = ...,
        latency_ms: Optional[int] = ...,
        rate_limit_scale: float = ...,
        faults: Optional[list[dict[str, Any]]] = ...,
    ) -> None: ...
    @property
    def url(self) -> str: ...
    def connection(self, **options: Any) -> Connection: ...
    def requests(self) -> int: ...
    def close(self) -> None: ...
    def __enter__(self) -> Mock: ...
    def __exit__(self, *_: object) -> None: ...
'''


def class_name(def_name: str) -> str:
    """``users.get-user-request`` -> ``UsersGetUserRequest``."""
    words = def_name.replace(".", "-").split("-")
    return "".join(w[:1].upper() + w[1:] for w in words if w)


class Writer:
    def __init__(self, schema: dict[str, Any]):
        self.defs: dict[str, Any] = schema["$defs"]
        self.written: dict[str, str] = {}
        self.order: list[str] = []

    def ref(self, name: str) -> str:
        """The Python type of a def, writing it (and what it holds) once."""
        if name in self.written:
            return self.written[name]
        schema = self.defs[name]
        if schema.get("type") == "object" and "properties" in schema:
            python = class_name(name)
            self.written[name] = python
            fields = []
            required = set(schema.get("required", []))
            for key, value in schema["properties"].items():
                ty = self.type_of(value)
                if key not in required:
                    ty = f"NotRequired[{ty}]"
                fields.append(f"{json.dumps(key)}: {ty}")
            body = ", ".join(fields)
            self.order.append(f"{python} = TypedDict({json.dumps(python)}, {{{body}}})")
            return python
        python = self.type_of(schema, owner=name)
        self.written[name] = python
        return python

    def type_of(self, schema: Any, owner: str = "") -> str:
        if not isinstance(schema, dict):
            return "Any"
        if "$ref" in schema:
            return self.ref(schema["$ref"].removeprefix("#/$defs/"))
        if "const" in schema:
            return f"Literal[{json.dumps(schema['const'])}]"
        if "enum" in schema and all(isinstance(v, str) for v in schema["enum"]):
            return "Literal[" + ", ".join(json.dumps(v) for v in schema["enum"]) + "]"
        for key in ("oneOf", "anyOf"):
            if key in schema:
                cases = []
                for case in schema[key]:
                    ty = self.case(case, owner)
                    if ty not in cases:
                        cases.append(ty)
                if cases == ["None"]:
                    return "None"
                if "None" in cases:
                    cases.remove("None")
                    inner = cases[0] if len(cases) == 1 else f"Union[{', '.join(cases)}]"
                    return f"Optional[{inner}]"
                return cases[0] if len(cases) == 1 else f"Union[{', '.join(cases)}]"
        ty = schema.get("type")
        if isinstance(ty, list):
            types = [self.type_of({**schema, "type": t}) for t in ty]
            if "None" in types:
                types.remove("None")
                inner = types[0] if len(types) == 1 else f"Union[{', '.join(types)}]"
                return f"Optional[{inner}]"
            return f"Union[{', '.join(types)}]"
        return {
            "string": "str",
            "integer": "int",
            "number": "float",
            "boolean": "bool",
            "null": "None",
            "object": "dict[str, Any]",
        }.get(ty, "list[" + self.type_of(schema.get("items")) + "]" if ty == "array" else "Any")

    def case(self, case: dict[str, Any], owner: str) -> str:
        """A case of a choice; a variant's ``{"case": value}`` is a one-key TypedDict named
        by the variant and the case."""
        properties = case.get("properties")
        one_key = properties and len(properties) == 1 and case.get("additionalProperties") is False
        if owner and case.get("type") == "object" and one_key:
            ((key, value),) = properties.items()
            python = class_name(f"{owner}-{key}")
            inner = self.type_of(value)
            self.order.append(f"{python} = TypedDict({json.dumps(python)}, {{{json.dumps(key)}: {inner}}})")
            return python
        return self.type_of(case)


def stub(nodes: list[dict[str, Any]], schema: dict[str, Any]) -> str:
    """The stub's text."""
    writer = Writer(schema)
    connection = writer.ref("types.connection")
    overloads_sync, overloads_async = [], []
    # An operation's node (`operations.<operationId>`) takes JSON as Okta's spec shapes it:
    # the catch-all overload types it.
    for node in (n for n in nodes if not n["id"].startswith("operations.")):
        request = writer.ref(node["input-schema"]) if node.get("input-schema") else "None"
        request_arg = f"request: {request}" if request != "None" else "request: None = ..."
        literal = f"Literal[{json.dumps(node['id'])}]"
        overloads_sync.append(
            f"    @overload\n    def call(self, node: {literal}, connection: {connection}, {request_arg}) -> Any: ..."
        )
        overloads_async.append(
            f"    @overload\n    async def call_async(self, node: {literal}, connection: {connection}, {request_arg}) -> Any: ..."
        )
    host = [
        "class Host:",
        "    def __init__(",
        "        self,",
        "        *,",
        "        route_to: Optional[str] = ...,",
        "        deadline_ms: Optional[int] = ...,",
        "        max_instances: Optional[int] = ...,",
        "        component: Optional[Union[str, PathLike[str]]] = ...,",
        "        cache_dir: Optional[Union[str, PathLike[str]]] = ...,",
        "        workers: Optional[int] = ...,",
        "        govern: Optional[float] = ...,",
        "        redis: Optional[str] = ...,",
        "        seal_key: Optional[str] = ...,",
        "    ) -> None: ...",
        "    @property",
        "    def package(self) -> str: ...",
        *overloads_sync,
        "    @overload",
        f"    def call(self, node: str, connection: {connection}, request: Any = ...) -> Any: ...",
        *overloads_async,
        "    @overload",
        f"    async def call_async(self, node: str, connection: {connection}, request: Any = ...) -> Any: ...",
        "    def nodes(self) -> list[dict[str, Any]]: ...",
        "    def schema(self) -> dict[str, Any]: ...",
        "    def describe(self, node: str) -> dict[str, Any]: ...",
    ]
    typed = "\n".join(writer.order)
    return f"{HEADER}\n{typed}\n\nConnection = {connection}\n\n" + "\n".join(host) + "\n"


def main() -> None:
    from . import Host

    host = Host()
    sys.stdout.write(stub(host.nodes(), host.schema()))


if __name__ == "__main__":
    main()
