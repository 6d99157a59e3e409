"""Schemathesis against the hub's /api/schema/ as a hub admin and as a coordinator (with a declaration,
a shared contact and an approved grant, so that the contacts answer is met too). A smoke in
`make test`; `make fuzz` runs it with ≥ 1,000 requests per role."""

from __future__ import annotations

import pytest
from django.core.wsgi import get_wsgi_application
from rest_framework.authtoken.models import Token

from tests.fuzz.engine import assert_clean, fuzz_role, load_schema
from tests.fuzz.figures import MIN_ROUNDS, REQUESTS_PER_ROLE, record_reports

from .test_disaster import nodes, people  # noqa: F401  (fixtures)
from .test_disaster_contacts import approver, granted, shared  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_hub_api_answers_generated_requests_within_its_schema_as_every_role(people, shared, approver):  # noqa: F811
    admin, coordinator = people
    granted(shared, coordinator, approver)
    schema = load_schema(get_wsgi_application())

    def path_parameters(operation) -> dict:
        return {"uuid": str(shared.uuid)} if "{uuid}" in operation.path else {}

    reports = [fuzz_role(schema, role=role, token=Token.objects.create(user=user).key, requests=REQUESTS_PER_ROLE, min_rounds=MIN_ROUNDS,
                         path_parameters=path_parameters)
               for role, user in (("hub_admin", admin), ("coordinator", coordinator))]
    record_reports("hub", reports)
    assert_clean(reports, minimum=REQUESTS_PER_ROLE)
