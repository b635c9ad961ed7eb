"""Okta's official Python SDK as an admin client of the served mock, unpatched: its own
`SSWS<token>` header, its own request building and its models validating every answer.

Each step is one SDK call; a step that errs, or whose answer the SDK's models refuse,
fails the test with the step's name. `OKTA_NODES` names the `okta-nodes` binary.
"""

import asyncio
import os
import socket
import subprocess
import time
import urllib.request

import pytest
from okta.client import Client
from okta import models

TOKEN = "00sdk-admin-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def org():
    """The served mock, seeded: its URL."""
    port = free_port()
    mock = subprocess.Popen(
        [os.environ["OKTA_NODES"], "mock", "--port", str(port), "--token", TOKEN, "--quiet"],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/api/v1/users?limit=1", timeout=1)
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)
    yield url
    mock.terminate()
    mock.wait()


class Script:
    """Runs SDK calls as named steps and keeps what failed."""

    def __init__(self):
        self.steps = []

    async def __call__(self, name, call, *, fails_with=None):
        """One step: the SDK's (result, response, error) with no error, or Okta's error
        code `fails_with`."""
        answer = await call
        error = answer[-1]
        result = answer[0] if len(answer) == 3 else None
        self.steps.append(name)
        code = getattr(error, "error_code", None) if error is not None else None
        if fails_with is None:
            assert error is None, f"{name}: {error}"
        else:
            assert code == fails_with, f"{name}: expected {fails_with}, got {error!r}"
        return result


async def admin(url):
    # The mock serves plain HTTP on loopback: the SDK's own switch for a test org.
    os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"
    client = Client({"orgUrl": url, "token": TOKEN})
    step = Script()

    # Users.
    users = await step("list users", client.list_users(limit=5))
    assert users and all(isinstance(u, models.User) for u in users)
    body = models.CreateUserRequest.from_dict({
        "profile": {"firstName": "Grace", "lastName": "Hopper",
                    "email": "grace.sdk@example.com", "login": "grace.sdk@example.com"},
        "credentials": {"password": {"value": "Cobol-1959-Compiler"},
                        "recovery_question": {"question": "First ship?", "answer": "USS Hopper"}},
    })
    grace = await step("create user", client.create_user(body, activate=True))
    assert grace.status.value == "ACTIVE"
    uid = grace.id
    got = await step("get user", client.get_user(uid))
    assert got.profile.login == "grace.sdk@example.com"
    changed = await step("update user", client.update_user(
        uid, models.UpdateUserRequest.from_dict({"profile": {"nickName": "Amazing Grace"}})))
    assert changed.profile.nick_name == "Amazing Grace"
    replaced = await step("replace user", client.replace_user(
        uid, models.UpdateUserRequest.from_dict({"profile": {
            "firstName": "Grace", "lastName": "Hopper", "email": "grace.sdk@example.com",
            "login": "grace.sdk@example.com"}})))
    assert replaced.profile.nick_name is None
    await step("list user blocks", client.list_user_blocks(uid))
    await step("list user groups", client.list_user_groups(uid))
    await step("list app links", client.list_app_links(uid))
    await step("list user clients", client.list_user_clients(uid))
    await step("list user devices", client.list_user_devices(uid))

    # Credentials and lifecycle.
    await step("change password", client.change_password(uid, models.ChangePasswordRequest.from_dict({
        "oldPassword": {"value": "Cobol-1959-Compiler"},
        "newPassword": {"value": "Nanosecond-1985-Wire"}})))
    await step("change recovery question", client.change_recovery_question(
        uid, models.UserCredentials.from_dict({
            "password": {"value": "Nanosecond-1985-Wire"},
            "recovery_question": {"question": "Favourite unit?", "answer": "nanosecond"}})))
    reset = await step("forgot password", client.forgot_password(uid, send_email=False))
    assert reset.reset_password_url.startswith(url)
    await step("revoke sessions", client.revoke_user_sessions(uid))
    await step("reset factors", client.reset_factors(uid))
    await step("unlock a user who is not locked out", client.unlock_user(uid), fails_with="E0000032")
    await step("suspend user", client.suspend_user(uid))
    await step("unsuspend user", client.unsuspend_user(uid))
    expired = await step("expire password", client.expire_password(uid))
    assert expired.status.value == "PASSWORD_EXPIRED"
    staged = await step("create staged user", client.create_user(models.CreateUserRequest.from_dict({
        "profile": {"firstName": "Wes", "lastName": "Staged", "email": "wes@example.com",
                    "login": "wes@example.com"}}), activate=False))
    await step("activate user", client.activate_user(staged.id, send_email=False))
    await step("deactivate user", client.deactivate_user(staged.id))
    await step("delete user", client.delete_user(staged.id))

    # Factors.
    question = await step("enroll a question factor", client.enroll_factor(
        uid, models.UserFactor.from_dict({"factorType": "question", "provider": "OKTA",
                                          "profile": {"question": "disliked_food", "answer": "mayonnaise"}})))
    factors = await step("list factors", client.list_factors(uid))
    assert [f.id for f in factors] == [question.id]
    await step("get factor", client.get_factor(uid, question.id))
    await step("list supported factors", client.list_supported_factors(uid))
    await step("list security questions", client.list_supported_security_questions(uid))
    await step("unenroll factor", client.unenroll_factor(uid, question.id))

    # User types.
    await step("list user types", client.list_user_types())
    kind = await step("create user type", client.create_user_type(models.UserType.from_dict({
        "name": "sdk_vendor", "displayName": "Vendor", "description": "Outside staff"})))
    await step("get user type", client.get_user_type(kind.id))
    await step("update user type", client.update_user_type(
        kind.id, models.UserTypePostRequest.from_dict({"displayName": "Vendors"})))
    await step("replace user type", client.replace_user_type(kind.id, models.UserTypePutRequest.from_dict({
        "name": "sdk_vendor", "displayName": "Suppliers", "description": "Outside staff"})))
    await step("delete user type", client.delete_user_type(kind.id))

    # Groups.
    await step("list groups", client.list_groups(limit=10))
    group = await step("add group", client.add_group(models.AddGroupRequest.from_dict({
        "profile": {"name": "SDK Admins", "description": "Made by the SDK"}})))
    await step("get group", client.get_group(group.id))
    await step("replace group", client.replace_group(group.id, models.AddGroupRequest.from_dict({
        "profile": {"name": "SDK Admins", "description": "Renamed"}})))
    await step("assign user to group", client.assign_user_to_group(group.id, uid))
    members = await step("list group users", client.list_group_users(group.id))
    assert [m.id for m in members] == [uid]
    await step("list group apps", client.list_assigned_applications_for_group(group.id))
    await step("unassign user from group", client.unassign_user_from_group(group.id, uid))
    await step("delete group", client.delete_group(group.id))

    # Applications and their users.
    apps = await step("list applications", client.list_applications())
    assert apps, "the seeded org has apps"
    bookmark = models.BookmarkApplication.from_dict({
        "name": "bookmark", "label": "SDK Docs", "signOnMode": "BOOKMARK",
        "settings": {"app": {"url": "https://docs.example.com", "requestIntegration": False}}})
    app = await step("create bookmark app", client.create_application(bookmark))
    assert isinstance(app, models.BookmarkApplication)
    assert app.settings.app.url == "https://docs.example.com"
    app_id = app.id
    await step("get application", client.get_application(app_id))
    bookmark.label = "SDK Documentation"
    await step("replace application", client.replace_application(app_id, bookmark))
    assigned = await step("assign user to app", client.assign_user_to_application(
        app_id, models.AppUserAssignRequest.from_dict({"id": uid, "scope": "USER"})))
    assert assigned.status == "ACTIVE"
    await step("list app users", client.list_application_users(app_id))
    await step("get app user", client.get_application_user(app_id, uid))
    await step("update app user", client.update_application_user(
        app_id, uid, models.AppUserUpdateRequest(
            actual_instance=models.AppUserCredentialsRequestPayload.from_dict(
                {"credentials": {"userName": "grace"}}))))
    await step("unassign user from app", client.unassign_user_from_application(app_id, uid))
    await step("delete an active app", client.delete_application(app_id), fails_with="E0000056")
    await step("deactivate application", client.deactivate_application(app_id))
    await step("delete application", client.delete_application(app_id))

    # The system log names the client that made each change: the User-Agent the SDK sent.
    events = await step("list log events", client.list_log_events(limit=20, sort_order="DESCENDING"))
    agents = {e.client.user_agent.raw_user_agent for e in events}
    assert agents == {client.user_agent}, agents

    # Event hooks: the mock's own hook endpoint answers verification.
    hook_body = models.EventHook.from_dict({
        "name": "SDK hook", "events": {"type": "EVENT_TYPE", "items": ["user.lifecycle.create"]},
        "channel": {"type": "HTTP", "version": "1.0.0", "config": {
            "uri": url.replace("http://", "https://") + "/mock/hook",
            "authScheme": {"type": "HEADER", "key": "Authorization", "value": "sdk-hook-secret"}}}})
    hook = await step("create event hook", client.create_event_hook(hook_body))
    await step("list event hooks", client.list_event_hooks())
    await step("get event hook", client.get_event_hook(hook.id))
    await step("replace event hook", client.replace_event_hook(hook.id, hook_body))
    verified = await step("verify event hook", client.verify_event_hook(hook.id))
    assert verified.verification_status.value == "VERIFIED"
    await step("delete an active hook", client.delete_event_hook(hook.id), fails_with="E0000107")
    await step("deactivate event hook", client.deactivate_event_hook(hook.id))
    await step("delete event hook", client.delete_event_hook(hook.id))

    # Policies.
    for kind in ("OKTA_SIGN_ON", "PASSWORD", "MFA_ENROLL", "ACCESS_POLICY"):
        await step(f"list {kind} policies", client.list_policies(type=kind))
    policy = await step("create policy", client.create_policy(models.OktaSignOnPolicy.from_dict({
        "type": "OKTA_SIGN_ON", "name": "SDK night shift", "description": "After hours"})))
    policy_id = getattr(policy, "actual_instance", policy).id
    await step("get policy", client.get_policy(policy_id))
    await step("deactivate policy", client.deactivate_policy(policy_id))
    await step("activate policy", client.activate_policy(policy_id))
    await step("list policy rules", client.list_policy_rules(policy_id))
    await step("delete policy", client.delete_policy(policy_id))

    # Realms.
    await step("list realms", client.list_realms())
    realm = await step("create realm", client.create_realm(models.CreateRealmRequest.from_dict({
        "profile": {"name": "SDK suppliers"}})))
    await step("get realm", client.get_realm(realm.id))
    await step("replace realm", client.replace_realm(realm.id, models.UpdateRealmRequest.from_dict({
        "profile": {"name": "SDK vendors"}})))
    await step("delete realm", client.delete_realm(realm.id))
    return step.steps


def test_an_admin_script_runs_against_the_mock(org):
    steps = asyncio.run(admin(org))
    assert len(steps) >= 30, steps
