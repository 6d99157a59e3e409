"""The idle session timeout: a signed-in session lasts KYODO_SESSION_IDLE_SECONDS (8 hours) after the
last activity; activity renews it, at most once a minute (config.middleware)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from config import middleware


def _expiry(client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_session_ends_after_eight_idle_hours_and_activity_renews_it(world, client, monkeypatch):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client.force_login(world.staff_a)
    now = [1_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: now[0])
    first = client.get("/")
    assert first.status_code == 200 and first.cookies["sessionid"]["max-age"] == 8 * 3600
    assert abs(_expiry(client) - (timezone.now() + dt.timedelta(hours=8))) < dt.timedelta(minutes=1)
    # Within the minute: no session write, no new cookie.
    now[0] += 30
    assert "sessionid" not in client.get("/").cookies
    # Later activity renews the expiry.
    now[0] += 60
    assert client.get("/").cookies["sessionid"]["max-age"] == 8 * 3600
    # Idle past the limit: the server-side session is gone, the next staff page asks to sign in again
    # (`/` itself shows a visitor the public portal).
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/groups/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
