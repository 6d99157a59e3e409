"""/healthz, token auth for scripts, the OpenAPI schema and its docs page."""

import pytest
from django.conf import settings


def test_healthz_reports_role_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "node" and body["database"]["state"] == "ok"
    assert body["database"]["engine"] == "postgresql"
    assert body["broker"] == {"state": "ok", "transport": "redis"}


def test_healthz_says_503_when_the_broker_is_down(client, db, monkeypatch):
    monkeypatch.setattr(settings, "CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["broker"]["state"].startswith("error")


def test_token_for_scripts(world, api):
    from tests.factories import PASSWORD

    response = api().post("/api/v1/auth/token/", {"username": "staff_a", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/groups/").status_code == 200
    bad = api().post("/api/v1/auth/token/", {"username": "staff_a", "password": "wrong"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"


def test_openapi_schema_and_docs(world, client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for endpoint in ("groups", "talents", "events", "consultations", "cases", "needs", "offers", "organizations"):
        assert f"/api/v1/{endpoint}/" in paths and f"/api/v1/{endpoint}/{{uuid}}/" in paths
    assert "/api/v1/groups/import/" in paths and "/api/v1/consultations/{uuid}/advance/" in paths
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.parametrize("missing", ["KYODO_ROLE", "SECRET_KEY"])
def test_missing_required_settings_fail_at_start_with_a_clear_message(missing):
    import os
    import subprocess
    import sys

    # What gunicorn loads: served processes never fall back to defaults (manage.py does, for developers).
    env = {k: v for k, v in os.environ.items() if k != missing}
    result = subprocess.run([sys.executable, "-c", "import config.wsgi"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert f"the environment variable {missing} is required" in result.stderr


def test_healthz_probes_the_broker_at_most_once_per_period(client, db, monkeypatch, settings):
    """A load balancer may call /healthz every few seconds from every web worker: the answers come
    from one cached probe per period, not one broker connection per call."""
    from config import health

    opened = []

    class CountingConnection(health.Connection):
        def ensure_connection(self, *args, **kwargs):
            opened.append(1)
            return super().ensure_connection(*args, **kwargs)

    now = [1000.0]
    monkeypatch.setattr(health, "Connection", CountingConnection)
    monkeypatch.setattr(health, "_last", {})
    monkeypatch.setattr(health.time, "monotonic", lambda: now[0])
    settings.KYODO_HEALTH_PROBE_SECONDS = 10
    for _ in range(50):
        response = client.get("/healthz")
        assert response.status_code == 200 and response.json()["broker"]["state"] == "ok"
        now[0] += 0.1  # fifty calls within five seconds
    assert len(opened) == 1
    assert client.get("/healthz").json()["checked_seconds_ago"] == 5.0
    now[0] += 6  # the period is over: the next call probes again
    assert client.get("/healthz").json()["checked_seconds_ago"] == 0
    assert len(opened) == 2
