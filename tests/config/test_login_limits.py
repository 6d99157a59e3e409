"""Abuse limits on /login/ and the API token endpoint (permissions.login_limits): per client address
from the proxy's real-IP header only, per account across addresses, shared through the cache,
refused with a clear Japanese message (API: code `throttled` and Retry-After), audited without
personal values."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation

from permissions import login_limits
from permissions.models import AuditEvent
from tests.factories import PASSWORD

LOCKED = "ログインの試行が多すぎるため"


@pytest.fixture(autouse=True)
def counters(settings):
    settings.KYODO_CLIENT_IP_HEADER = "X-Real-IP"
    settings.KYODO_LOGIN_ATTEMPTS_PER_ADDRESS = 20
    settings.KYODO_LOGIN_FAILURES_PER_ACCOUNT = 10
    cache.clear()  # the counters live in the shared cache (Redis here): start and leave it empty
    yield
    cache.clear()


def _login(client, username: str, password: str, *, address: str, forged: str = ""):
    extra = {"HTTP_X_REAL_IP": address}
    if forged:
        extra["HTTP_X_FORWARDED_FOR"] = forged
    return client.post("/login/", {"username": username, "password": password}, **extra)


def _token(api, username: str, password: str, *, address: str, forged: str = ""):
    extra = {"HTTP_X_REAL_IP": address}
    if forged:
        extra["HTTP_X_FORWARDED_FOR"] = forged
    return api().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra)


def test_the_21st_login_attempt_in_a_minute_from_one_address_is_refused_with_a_forged_forwarded_for(world, client):
    for n in range(20):
        # A different account each time (no account limit), and a different forged X-Forwarded-For.
        response = _login(client, f"nobody{n}", "wrong", address="203.0.113.5", forged=f"198.51.100.{n}")
        assert response.status_code == 200 and "正しくありません" in response.content.decode()
    refused = _login(client, "staff_a", PASSWORD, address="203.0.113.5", forged="198.51.100.99")
    page = refused.content.decode()
    assert refused.status_code == 429 and LOCKED in page and 0 < int(refused["Retry-After"]) <= 60
    assert "_auth_user_id" not in client.session  # even the right password does not get in
    # Another address (as nginx's X-Real-IP says) is not held back.
    assert _login(client, "staff_a", PASSWORD, address="203.0.113.6").status_code == 302
    refusals = AuditEvent.objects.filter(action="auth.login_refused")
    assert refusals.count() == 1
    detail = refusals.get().detail
    assert detail["endpoint"] == "login" and detail["limit"] == "address"
    assert detail["account"] == login_limits.account_hash("staff_a") and "staff_a" not in repr(detail)
    assert "203.0.113" not in repr(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 20


def test_an_account_is_locked_across_addresses_and_the_lock_is_audited(world, client):
    for n in range(10):
        assert _login(client, "staff_a", "wrong", address=f"203.0.113.{n}").status_code == 200
    refused = _login(client, "staff_a", PASSWORD, address="192.0.2.1")
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    assert int(refused["Retry-After"]) > 60  # the account lock lasts KYODO_LOGIN_LOCKOUT_SECONDS
    locked = AuditEvent.objects.get(action="auth.login_locked")
    assert locked.detail == {"endpoint": "login", "account": login_limits.account_hash("staff_a"), "seconds": 900}
    # The lock is the account's: another account from the same address signs in.
    assert _login(client, "staff_b", PASSWORD, address="192.0.2.1").status_code == 302
    # An operator lifts it (docs/operations-security.md).
    assert login_limits.account_unlock(username="staff_a") is True
    client.logout()
    assert _login(client, "staff_a", PASSWORD, address="192.0.2.1").status_code == 302
    assert AuditEvent.objects.filter(action="auth.login_unlocked").count() == 1


def test_a_success_clears_the_account_failures(world, client):
    for n in range(9):
        _login(client, "staff_a", "wrong", address=f"203.0.113.{n}")
    assert _login(client, "staff_a", PASSWORD, address="192.0.2.1").status_code == 302
    client.logout()
    for n in range(9):
        _login(client, "staff_a", "wrong", address=f"203.0.113.{n}")
    assert _login(client, "staff_a", PASSWORD, address="192.0.2.1").status_code == 302
    assert not AuditEvent.objects.filter(action="auth.login_locked").exists()


def test_the_token_endpoint_is_limited_per_address_with_a_code_and_retry_after(world, api):
    for n in range(20):
        response = _token(api, f"nobody{n}", "wrong", address="203.0.113.5", forged=f"198.51.100.{n}")
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"
    refused = _token(api, "staff_a", PASSWORD, address="203.0.113.5", forged="198.51.100.77")
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "throttled" and LOCKED in error["message"] and "Expected" not in error["message"]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert _token(api, "staff_a", PASSWORD, address="203.0.113.6").status_code == 200
    assert AuditEvent.objects.get(action="auth.login_refused").detail["endpoint"] == "token"


def test_the_token_endpoint_locks_an_account_across_addresses(world, api):
    for n in range(10):
        assert _token(api, "staff_a", "wrong", address=f"203.0.113.{n}").status_code == 400
    refused = _token(api, "staff_a", PASSWORD, address="192.0.2.1")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 60
    assert AuditEvent.objects.filter(action="auth.login_locked", detail__endpoint="token").count() == 1


def test_without_a_configured_header_the_address_is_the_tcp_peer(world, client, settings):
    settings.KYODO_CLIENT_IP_HEADER = ""
    for n in range(20):
        # Neither X-Real-IP nor X-Forwarded-For can spread the attempts over many addresses.
        _login(client, f"nobody{n}", "wrong", address=f"203.0.113.{n}", forged=f"198.51.100.{n}")
    assert _login(client, "staff_a", PASSWORD, address="203.0.113.200").status_code == 429


def test_the_lockout_message_is_translated(world, client):
    for n in range(20):
        _login(client, f"nobody{n}", "wrong", address="203.0.113.5")
    with translation.override("en"):
        message = login_limits.Refusal("address", 30).message
    assert message.startswith("Too many sign-in attempts") and "1 min" in message
    client.cookies["django_language"] = "en"
    assert "Too many sign-in attempts" in _login(client, "staff_a", PASSWORD, address="203.0.113.5").content.decode()


def test_the_schema_documents_the_token_endpoints_429(client):
    """Clients (and the fuzzer) read the schema: the limit's 429 is part of the contract, although
    the endpoint has no DRF throttle."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    responses = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "429" in responses and "400" in responses
