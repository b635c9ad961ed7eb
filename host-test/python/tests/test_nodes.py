"""A node of every family through the real component, against the mock."""

import pytest

from okta_nodes import OktaError

ADA = "ada.lovelace@example.com"


def test_users_groups_and_apps(host, conn):
    ada = host.call("users.get-user", conn, {"user-id": ADA})
    assert ada["profile"]["login"] == ADA and ada["status"] == "active"
    groups = host.call("groups.list-groups", conn, {"q": "Engineering"})
    assert [g["name"] for g in groups["items"]] == ["Engineering"]
    apps = host.call("users.list-user-apps", conn, {"user-id": ADA})
    assert apps["links"][0]["label"] == "Slack"
    slack = host.call("apps.list-apps", conn, {"q": "Slack"})
    assert slack["items"][0]["label"] == "Slack"


def test_an_operation_by_its_operation_id(host, conn):
    ada = host.call("operations.getUser", conn, {"id": ADA})
    assert ada["status"] == 200 and ada["body"]["profile"]["login"] == ADA
    page = host.call("operations.listGroups", conn, {"page": {"limit": 1}})
    assert len(page["body"]) == 1 and page["next-cursor"].startswith("/api/v1/groups?")
    with pytest.raises(OktaError) as refused:
        host.call("operations.getUser", conn, {"id": ADA, "nope": 1})
    assert refused.value.kind == "invalid-input" and "`nope`" in refused.value.message


def test_a_write_and_its_read(host, conn):
    created = host.call(
        "groups.create-group",
        conn,
        {"name": "From Python", "profile-extra": {"costCenter": "R&D"}},
    )
    read = host.call("groups.get-group", conn, {"group-id": created["id"]})
    assert read["name"] == "From Python"
    assert '"costCenter":"R&D"' in read["profile-extra"]


@pytest.mark.parametrize(
    "node, request_",
    [
        ("factors.list-factors", {"user-id": ADA}),
        ("system-log.list-events", {}),
        ("event-hooks.list-event-hooks", None),
        ("policies.list-policies", {"policy-type": "okta-sign-on"}),
        ("realms.list-realms", {}),
        ("picklists.select-user", {"search": "ada"}),
        ("connection.test-connection", None),
        ("raw.request", {"method": "get", "path": "users/me"}),
    ],
)
def test_every_family_answers(host, conn, node, request_):
    assert host.call(node, conn, request_) is not None


def test_a_trigger_without_a_connection(host):
    answer = host.call(
        "triggers.answer-verification",
        {"domain": "unused.invalid", "auth": {"api-token": ""}},
        {"headers": [{"name": "X-Okta-Verification-Challenge", "value": "abc"}]},
    )
    assert answer == '{"verification":"abc"}'


def test_the_catalog(host):
    nodes = host.nodes()
    operations = [n for n in nodes if n["id"].startswith("operations.")]
    assert (len(nodes) - len(operations), len(operations)) == (71, 729)
    ids = {n["id"] for n in nodes}
    assert "users.create-user" in ids
    schema = host.schema()
    assert schema["$defs"]["users.get-user-request"]["required"] == ["user-id"]
    described = host.describe("users.get-user")
    assert described["kind"] == "action" and described["version"] >= 1
    with pytest.raises(KeyError):
        host.describe("users.no-such-node")
    assert host.package.startswith("okta:management@")


def test_an_okta_error_is_raised_with_its_fields(host, conn):
    with pytest.raises(OktaError) as raised:
        host.call("users.get-user", conn, {"user-id": "nobody@example.com"})
    err = raised.value
    assert (err.kind, err.status, err.error_code) == ("not-found", 404, "E0000007")
    assert err.request_id and not err.retryable
    assert err.error["kind"] == "not-found"
