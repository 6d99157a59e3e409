"""Writes on the city's menu: departments' desks and menu items, and the publication workflow
(a department submits, center staff approve or send back, either side withdraws)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from permissions.audit import audit_record
from permissions.models import Organization, OrganizationKind
from permissions.scoping import holds
from sync import outbox

from ..models import CENTER_CHANGE, DepartmentDesk, MenuItem, Need, Publication
from ..models.city_menu import SUBMITTABLE, WITHDRAWABLE
from ..outgoing import Door
from .pipeline import create_record, locked_for_change, update_record

CONTACT_FIELDS = ("switchboard", "public_inbox")


def _require_department(department) -> None:
    if not isinstance(department, Organization) or department.kind != OrganizationKind.CITY_DEPARTMENT:
        raise ValidationError({"department": ValidationError(gettext("市の担当課を選んでください。"),
                                                             code="not_a_department")})


def _require_public_contact(values: dict) -> None:
    """A desk's line and inbox are published: one the node knows as a person's is refused."""
    contacts = [str(values.get(name) or "") for name in CONTACT_FIELDS]
    if any(contacts) and Door(organizations=False).leaks(contacts):
        raise ValidationError({name: ValidationError(
            gettext("個人の電話番号・メールアドレスは登録できません。課の代表電話・公開メールアドレスを入力してください。"),
            code="personal_contact") for name, value in zip(CONTACT_FIELDS, contacts, strict=True) if value})


@transaction.atomic
def desk_save(*, acting_user, department: Organization, **values) -> DepartmentDesk:
    """Create or update a department's public desk (one per department)."""
    _require_department(department)
    _require_public_contact(values)
    desk = DepartmentDesk.objects.filter(department=department).first()
    if desk is None:
        return create_record(DepartmentDesk, acting_user=acting_user, center=department.center,
                             values={"department": department, **values})
    return update_record(desk, acting_user=acting_user, values=values)


@transaction.atomic
def menu_item_create(*, acting_user, department: Organization, **values) -> MenuItem:
    _require_department(department)
    values.pop("center", None)  # an item belongs to its department's center
    return create_record(MenuItem, acting_user=acting_user, center=department.center,
                         values={"department": department, **values})


@transaction.atomic
def menu_item_update(*, acting_user, item: MenuItem, **values) -> MenuItem:
    """A department's change to a published item goes back to center staff before the public sees it."""
    values.pop("department", None)
    values.pop("center", None)
    item = update_record(item, acting_user=acting_user, values=values)
    return resubmit_if_changed_by_department(item, acting_user=acting_user)


def resubmit_if_changed_by_department(record: Need | MenuItem, *, acting_user) -> Need | MenuItem:
    """Center staff approved the text the public sees: a department's later change needs their look again."""
    if record.publication == Publication.PUBLISHED and not holds(acting_user, CENTER_CHANGE, record.center_id):
        _move(record, acting_user=acting_user, to=Publication.SUBMITTED, action="resubmit")
    return record


def _move(record, *, acting_user, to: str, action: str, note: str = "") -> None:
    record.publication = to
    record.publication_note = note
    if to == Publication.PUBLISHED:
        record.published_at = timezone.now()
    record.version += 1
    record.save(update_fields=["publication", "publication_note", "published_at", "version", "updated_at"])
    audit_record(actor=acting_user, action=f"{record._meta.model_name}.{action}", target=record,
                 organization=record.center, detail={"publication": to})
    outbox.record_changed(record)


def _locked(acting_user, record: Need | MenuItem, *, allowed: tuple, center_only: bool) -> Need | MenuItem:
    record = locked_for_change(acting_user, record)  # 404 outside the user's scope (another center's department)
    if center_only and not holds(acting_user, CENTER_CHANGE, record.center_id):
        raise PermissionDenied("permission_denied")
    if record.publication not in allowed:
        raise ValidationError(gettext("「%(state)s」の項目にはこの操作はできません。")
                              % {"state": record.get_publication_display()}, code="invalid_transition")
    return record


@transaction.atomic
def publication_submit(*, acting_user, record: Need | MenuItem) -> Need | MenuItem:
    """The department (or center staff on its behalf) asks for publication."""
    record = _locked(acting_user, record, allowed=SUBMITTABLE, center_only=False)
    _move(record, acting_user=acting_user, to=Publication.SUBMITTED, action="submit")
    return record


@transaction.atomic
def publication_approve(*, acting_user, record: Need | MenuItem) -> Need | MenuItem:
    """Center staff check the text and publish it."""
    record = _locked(acting_user, record, allowed=(Publication.SUBMITTED,), center_only=True)
    _move(record, acting_user=acting_user, to=Publication.PUBLISHED, action="approve")
    return record


@transaction.atomic
def publication_send_back(*, acting_user, record: Need | MenuItem, reason: str) -> Need | MenuItem:
    """Center staff return a submission with what to change."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(gettext("差し戻しの理由を入力してください。"),
                                                         code="reason_required")})
    record = _locked(acting_user, record, allowed=(Publication.SUBMITTED,), center_only=True)
    _move(record, acting_user=acting_user, to=Publication.SENT_BACK, action="send_back", note=reason)
    return record


@transaction.atomic
def publication_withdraw(*, acting_user, record: Need | MenuItem) -> Need | MenuItem:
    """Either side takes an item off the public pages (or back from review)."""
    record = _locked(acting_user, record, allowed=WITHDRAWABLE, center_only=False)
    _move(record, acting_user=acting_user, to=Publication.WITHDRAWN, action="withdraw")
    return record
