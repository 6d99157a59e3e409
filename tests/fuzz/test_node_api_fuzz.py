"""Schemathesis against a node's /api/schema/ as each of its roles: no answer ≥ 500, none outside
the schema. A smoke in `make test`; `make fuzz` runs it with ≥ 1,000 requests per role."""

from __future__ import annotations

import os

import pytest
from django.core.wsgi import get_wsgi_application
from rest_framework.authtoken.models import Token

from .engine import assert_clean, fuzz_role, load_schema
from .figures import MIN_ROUNDS, REQUESTS_PER_ROLE, record_reports

# Each request commits as it would in production, so a failed one cannot poison the next.
pytestmark = pytest.mark.django_db(transaction=True)

ROLES = {"center_admin": "admin_a", "center_staff": "staff_a", "group_member": "member_a",
         "department_staff": "dept_staff"}


def _existing(world) -> dict[str, str]:
    """A record of center A per API prefix, for paths that name one."""
    rec = world.rec_a
    return {"groups": world.group_a.uuid, "talents": rec.talent.uuid, "events": rec.event.uuid,
            "consultations": rec.consultation.uuid, "cases": rec.case.uuid, "needs": rec.need.uuid,
            "offers": rec.offer.uuid, "organizations": world.department.uuid}


def test_the_node_api_answers_generated_requests_within_its_schema_as_every_role(world):
    schema = load_schema(get_wsgi_application())
    existing = _existing(world)

    def path_parameters(operation) -> dict:
        prefix = operation.path.removeprefix("/api/v1/").split("/")[0]
        return {"uuid": str(existing[prefix])} if "{uuid}" in operation.path and prefix in existing else {}

    reports = [fuzz_role(schema, role=role, token=Token.objects.create(user=getattr(world, attribute)).key,
                         requests=REQUESTS_PER_ROLE, min_rounds=MIN_ROUNDS, path_parameters=path_parameters)
               for role, attribute in ROLES.items()]
    record_reports("node", reports)
    if os.environ.get("KYODO_FUZZ_VERBOSE"):
        print("\n".join(report.summary() for report in reports))
    assert_clean(reports, minimum=REQUESTS_PER_ROLE)
