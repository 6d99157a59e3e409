"""The production compose files (Docker cannot run here, so their shape is checked instead)."""

from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.mark.parametrize("role", ["node", "hub"])
def test_compose_file_has_every_part_of_a_deployment(role):
    compose = yaml.safe_load((DEPLOY / f"compose.{role}.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "nginx", "migrate"} <= set(services)
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["environment"]["KYODO_ROLE"] == role
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    redis = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis and "--maxmemory-policy noeviction" in redis
    worker = services["worker"]["command"]
    assert worker[worker.index("--queues") + 1] == "disaster,default"
    disaster_worker = services["worker-disaster"]["command"]
    assert disaster_worker[disaster_worker.index("--queues") + 1] == "disaster"
    assert "beat" in services["beat"]["command"]
    assert services["web"]["healthcheck"]["test"][-1].endswith("/healthz')")
    assert (DEPLOY / services["nginx"]["volumes"][0].split(":")[0]).exists()
    assert (DEPLOY / f"{role}.env.example").exists()
    key_file = services["web"]["environment"].get("KYODO_NODE_KEY_FILE")
    assert (key_file is not None) == (role == "node")  # the private key lives on the node only


def test_dockerfile_installs_the_project_and_compiles_messages():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile and "pip install ." in dockerfile and "compilemessages" in dockerfile
    assert "USER kyodo" in dockerfile


def test_nginx_passes_the_host_and_allows_a_full_batch():
    conf = (DEPLOY / "nginx" / "kyodo.conf").read_text()
    assert "proxy_set_header Host $host;" in conf and "X-Forwarded-Proto" in conf
    assert "client_max_body_size 8m;" in conf


def test_nginx_passes_the_scheme_it_received_and_sets_the_client_address_the_app_trusts():
    conf = (DEPLOY / "nginx" / "kyodo.conf").read_text()
    # TLS ends in front of nginx: its own $scheme is http; the terminator's header says https.
    assert "proxy_set_header X-Forwarded-Proto $scheme;" not in conf
    assert "proxy_set_header X-Forwarded-Proto $kyodo_forwarded_proto;" in conf
    assert "map $http_x_forwarded_proto $kyodo_forwarded_proto" in conf
    # The header the login limits read (KYODO_CLIENT_IP_HEADER), overwritten with the peer's address.
    assert "proxy_set_header X-Real-IP $remote_addr;" in conf
    for role in ("node", "hub"):
        example = (DEPLOY / f"{role}.env.example").read_text()
        assert "KYODO_CLIENT_IP_HEADER=X-Real-IP" in example and "KYODO_BEHIND_PROXY=1" in example
