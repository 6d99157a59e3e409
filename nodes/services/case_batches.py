"""Many collaboration cases at once — a benchmark's backlog, a script loading a center's past — through
the same checks, audit and outbox as `case_create`, in batches: one transaction, one read of the
node's personal data and one bulk insert per batch instead of a round of each per case."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from common.validation import full_clean_read_links
from permissions.audit import audit_record
from permissions.models import Organization
from permissions.scoping import require_permitted
from sync import outbox

from ..known_data import all_personal_data
from ..models import CaseParty, CollaborationCase
from ..sharing import project_case
from .pipeline import normalize_values, require_center_organizations, search_text_of

BATCH = 250
# What a case of the import may carry; links to many rows (activity fields, years) go through case_create.
FIELDS = frozenset({"title", "summary", "lessons", "form", "fiscal_year_start", "fiscal_year_end", "outcome",
                    "total_cost", "city_share", "responsible_department", "sharing_level", "sharing_reach"})


def _case(center: Organization, values: dict, index: int) -> tuple[CollaborationCase, list[dict]]:
    values = dict(values)
    parties = values.pop("parties", None) or []
    unknown = set(values) - FIELDS
    if unknown:
        raise ValidationError(gettext("%(number)s件目: 読み込めない項目があります（%(names)s）。") % {
            "number": index + 1, "names": "、".join(sorted(unknown))}, code="unknown_field")
    case = CollaborationCase(center=center, **normalize_values(values))
    case.search_text = search_text_of(case)
    full_clean_read_links(case, exclude=["search_text"])
    return case, parties


def _parties(case: CollaborationCase, parties: list[dict], index: int) -> list[CaseParty]:
    rows, seen = [], set()
    for party in parties:
        organization = party.get("organization")
        if not isinstance(organization, Organization) or organization.pk in seen:
            raise ValidationError(gettext("%(number)s件目: 協働の主体の組織を重複なく指定してください。") % {
                "number": index + 1}, code="invalid_party")
        seen.add(organization.pk)
        row = CaseParty(case=case, organization=organization, role=party.get("role") or "partner",
                        contribution=(party.get("contribution") or "").strip())
        full_clean_read_links(row, exclude=["case"])
        rows.append(row)
    return rows


@transaction.atomic
def _batch(*, acting_user, center: Organization, entries: list[dict], first: int) -> list[CollaborationCase]:
    built = [_case(center, values, first + i) for i, values in enumerate(entries)]
    cases = CollaborationCase.objects.bulk_create([case for case, _ in built])
    rows = [row for i, (case, parties) in enumerate(built) for row in _parties(case, parties, first + i)]
    require_center_organizations(center.pk, {row.organization for row in rows}, "parties")
    CaseParty.objects.bulk_create(rows)
    # Read once for the batch: nothing in it changes what the node knows or its registry.
    known, peers = all_personal_data(), {}
    for case, values in zip(cases, entries, strict=True):
        audit_record(actor=acting_user, action="collaborationcase.create", target=case, organization=center,
                     detail={"fields": sorted(FIELDS & set(values)), "import": True})
        outbox.record_changed(case, created=True, projection=project_case(case, known=known, peers=peers) or False)
    return cases


def cases_create_many(*, acting_user, center: Organization, cases: list[dict], batch_size: int = BATCH
                 ) -> list[CollaborationCase]:
    """Create `cases` (dicts of FIELDS and `parties` as for case_create) at `center`, each shared as its
    `sharing_level`/`sharing_reach` say. Each batch is all or nothing; a bad entry raises
    ValidationError naming it, and the batches before it stay."""
    require_permitted(acting_user, CollaborationCase, "add", CollaborationCase(center=center))
    created: list[CollaborationCase] = []
    for start in range(0, len(cases), batch_size):
        created += _batch(acting_user=acting_user, center=center, entries=cases[start:start + batch_size],
                          first=start)
    return created
