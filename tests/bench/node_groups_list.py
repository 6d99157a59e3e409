"""Group list API for center staff (scoped) against the same page without the permission filter.

10,000 groups in center A (and 1,000 in center B, so the scope has something to exclude). The
reference is the same viewset, serializer and page with a plain `center = A` filter instead of
`scoped_queryset`; the ratio is what the permission door costs.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from .common import percentile, record

GROUPS_A, GROUPS_B = 10_000, 1_000
PAGES = (1, 2, 10, 50, 100, 150, 200)
ROUNDS = 25


def _fill() -> tuple:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from nodes.models import ActivityField, GroupRegistration
    from permissions.models import Organization, Role
    from permissions.services import membership_grant, organization_create

    center_a = Organization.objects.filter(name="ベンチ市民活動センターA").first()
    if center_a is None:
        center_a = organization_create(acting_user=None, name="ベンチ市民活動センターA", kind="center")
        center_b = organization_create(acting_user=None, name="ベンチ市民活動センターB", kind="center")
        fields = list(ActivityField.objects.all())
        rng = random.Random(7)
        with transaction.atomic():
            for center, count in ((center_a, GROUPS_A), (center_b, GROUPS_B)):
                # Bulk rows: this builds the bench's data set, it is not the code under test.
                orgs = Organization.objects.bulk_create(
                    Organization(name=f"ベンチ団体{center.pk}-{n:05d}", name_kana=f"ベンチダンタイ{n:05d}",
                                 kind="citizen_group", center=center, search_text=f"べんちだんたい{n:05d}")
                    for n in range(count)
                )
                groups = GroupRegistration.objects.bulk_create(
                    GroupRegistration(organization=org, center=center, registered_on=dt.date(2024, 4, 1),
                                      renewal_due=dt.date(2027, 3, 31), area="ベンチ区", member_count=10,
                                      representative_name="代表 太郎", search_text=org.search_text)
                    for org in orgs
                )
                through = GroupRegistration.activity_fields.through
                through.objects.bulk_create(
                    through(groupregistration_id=g.pk, activityfield_id=f.pk)
                    for g in groups for f in rng.sample(fields, 2)
                )
        user_model = get_user_model()
        staff = user_model.objects.create_user("bench-staff", password="bench-password-123")
        membership_grant(acting_user=None, user=staff, organization=center_a, role=Role.CENTER_STAFF)
    staff = get_user_model().objects.get(username="bench-staff")
    return center_a, staff


def run() -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIRequestFactory, force_authenticate

    from nodes.api.views import GroupViewSet
    from nodes.models import GroupRegistration
    from nodes.selectors import DEFAULT_ORDERING, LIST_RELATIONS

    center_a, staff = _fill()

    class UnscopedGroupViewSet(GroupViewSet):
        def get_queryset(self):
            relations = LIST_RELATIONS[GroupRegistration]
            return (GroupRegistration.objects.filter(center=center_a).select_related(*relations["select"])
                    .prefetch_related(*relations["prefetch"]).order_by(*DEFAULT_ORDERING[GroupRegistration]))

    factory = APIRequestFactory()
    views = {"scoped": GroupViewSet.as_view({"get": "list"}),
             "reference": UnscopedGroupViewSet.as_view({"get": "list"})}

    def call(kind: str, page: int, page_size: int = 50):
        request = factory.get("/api/v1/groups/", {"page": page, "page_size": page_size})
        force_authenticate(request, user=staff)
        started = time.perf_counter()
        response = views[kind](request)
        response.render()
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.data
        return elapsed, response.data

    # Same page, same rows: the comparison is fair only if both return identical results.
    for page in PAGES:
        assert call("scoped", page)[1]["results"] == call("reference", page)[1]["results"]
    samples = {"scoped": [], "reference": []}
    for _ in range(ROUNDS):
        for page in PAGES:
            for kind in random.sample(list(samples), 2):  # interleave so drift hits both alike
                samples[kind].append(call(kind, page)[0])
    p50 = {k: percentile(v, 50) for k, v in samples.items()}
    p95 = {k: percentile(v, 95) for k, v in samples.items()}
    print(f"group list, {GROUPS_A:,} groups, page size 50, {len(samples['scoped'])} requests each:")
    print(f"  scoped    p50 {p50['scoped']:.1f} ms  p95 {p95['scoped']:.1f} ms")
    print(f"  reference p50 {p50['reference']:.1f} ms  p95 {p95['reference']:.1f} ms")
    record("node.groups_list.p50_ms_scoped", p50["scoped"], "ms", "—")
    record("node.groups_list.p95_ms_scoped", p95["scoped"], "ms", "—")
    record("node.groups_list.p95_ms_reference", p95["reference"], "ms", "—")
    record("node.groups_list.p50_ratio_scoped", p50["scoped"] / p50["reference"], "ratio", "≤ 1.5")
    record("node.groups_list.p95_ratio_scoped", p95["scoped"] / p95["reference"], "ratio", "≤ 1.5")

    counts = {}
    for size in (10, 50, 200):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            call("scoped", 3, page_size=size)
        counts[size] = len(captured)
    print(f"  queries per page by page size: {counts}")
    record("node.groups_list.queries_per_page_growth", counts[200] - counts[10], "queries", "0")
