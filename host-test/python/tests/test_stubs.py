"""The type stub is the catalog's: what okta_nodes.stubs writes, committed."""

from pathlib import Path

from okta_nodes.stubs import stub

COMMITTED = Path(__file__).resolve().parents[1] / "okta_nodes" / "__init__.pyi"


def test_the_stub_is_written_from_the_catalog(host):
    written = stub(host.nodes(), host.schema())
    assert COMMITTED.read_text() == written, (
        "the stub is stale: (cd /tmp && python -m okta_nodes.stubs) > host-test/python/okta_nodes/__init__.pyi"
    )
    assert 'def call(self, node: Literal["users.get-user"], connection: TypesConnection, request: UsersGetUserRequest)' in written


def check(code, tmp_path):
    import subprocess
    import sys

    source = tmp_path / "use.py"
    source.write_text(code)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(source)],
        capture_output=True,
        text=True,
    )


def test_a_type_checker_reads_the_fields(tmp_path):
    good = check(
        'from okta_nodes import Connection, Host\n'
        'conn: Connection = {"domain": "x", "auth": {"api-token": "t"}}\n'
        'Host().call("users.create-user", conn, {"profile": {"login": "a@x.com"}, "password": {"value": "p"}})\n',
        tmp_path,
    )
    assert good.returncode == 0, good.stdout
    bad = check(
        'from okta_nodes import Connection\n'
        'conn: Connection = {"domain": "x", "auth": {"api-tokn": "t"}}\n',
        tmp_path,
    )
    assert bad.returncode == 1 and "TypesAuthApiToken" in bad.stdout, bad.stdout
