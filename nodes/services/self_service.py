"""Group self-service (わたしの団体): a member proposes changes to what the center publishes about the
group (profile texts, できることメニュー, public events); staff approve or reject them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from permissions.audit import audit_record
from permissions.scoping import get_scoped_or_deny

from ..lifecycle import group_public_events
from ..models import (
    ChangeStatus,
    ChangeTarget,
    Event,
    EventKind,
    GroupChangeRequest,
    GroupNotice,
    GroupRegistration,
    NoticeKind,
    Offer,
)
from .groups import group_update
from .pipeline import require_center_staff
from .records import event_create, event_update, offer_create, offer_update

# What a member may propose, per target; the rest of a record stays the center's to edit.
PROPOSABLE_FIELDS = {
    ChangeTarget.PROFILE: ("description", "area"),
    ChangeTarget.OFFER: ("title", "description", "area", "capacity", "conditions"),
    ChangeTarget.EVENT: ("title", "kind", "starts_at", "venue", "description"),
}
REQUIRED_FIELDS = {
    ChangeTarget.PROFILE: (),
    ChangeTarget.OFFER: ("title", "description"),
    ChangeTarget.EVENT: ("title", "kind", "starts_at"),
}


def _clean_values(target: str, values: dict) -> dict:
    """Only the proposable fields, stripped, checked the way the model will check them on approval."""
    allowed = PROPOSABLE_FIELDS[target]
    cleaned = {}
    for name in allowed:
        value = values.get(name, "")
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        cleaned[name] = value.strip() if isinstance(value, str) else value
    errors = {}
    for name in REQUIRED_FIELDS[target]:
        if cleaned.get(name) in ("", None):
            errors[name] = ValidationError(gettext("この項目は必須です。"), code="required")
    if target == ChangeTarget.EVENT:
        if cleaned.get("kind") and cleaned["kind"] not in EventKind.values:
            errors["kind"] = ValidationError(gettext("イベントの種類を選んでください。"), code="invalid_choice")
        if cleaned.get("starts_at") and parse_datetime(str(cleaned["starts_at"])) is None:
            errors["starts_at"] = ValidationError(gettext("日時の形式が正しくありません。"), code="invalid")
    model = {ChangeTarget.PROFILE: GroupRegistration, ChangeTarget.OFFER: Offer, ChangeTarget.EVENT: Event}[target]
    for name, value in cleaned.items():
        field = model._meta.get_field(name)
        if isinstance(value, str) and getattr(field, "max_length", None) and len(value) > field.max_length:
            errors[name] = ValidationError(gettext("%(limit)d文字以内で入力してください。") % {"limit": field.max_length},
                                           code="max_length")
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def change_request_submit(*, acting_user, group: GroupRegistration, target: str, values: dict,
                          offer: Offer | None = None, event: Event | None = None) -> GroupChangeRequest:
    """A member's proposal; nothing published changes until staff approve it."""
    if target not in ChangeTarget.values:
        raise ValidationError({"target": ValidationError(gettext("不明な変更の対象です。"), code="invalid_choice")})
    group = get_scoped_or_deny(acting_user, GroupRegistration, "change", pk=group.pk)
    if offer is not None and (target != ChangeTarget.OFFER or offer.group_id != group.pk):
        raise ValidationError({"offer": ValidationError(gettext("この団体のメニューではありません。"), code="other_group")})
    if event is not None and (target != ChangeTarget.EVENT
                              or not group_public_events(group).filter(pk=event.pk).exists()):
        raise ValidationError({"event": ValidationError(gettext("この団体が主催する開催前の公開イベントではありません。"),
                                                        code="other_event")})
    change = GroupChangeRequest(group=group, center_id=group.center_id, target=target, offer=offer, event=event,
                                values=_clean_values(target, values), submitted_by=acting_user)
    change.full_clean(exclude=["search_text", "center", "group", "offer", "event"])
    change.save()
    audit_record(actor=acting_user, action="groupchangerequest.submit", target=change, organization=group.center,
                 detail={"target": target, "fields": sorted(change.values)})
    return change


def _decidable(acting_user, change: GroupChangeRequest) -> GroupChangeRequest:
    change = get_scoped_or_deny(acting_user, GroupChangeRequest, "view", pk=change.pk)
    require_center_staff(acting_user, change.center_id)
    change = (GroupChangeRequest.objects.select_for_update(of=("self",)).select_related("group", "offer", "event")
              .get(pk=change.pk))
    if change.status != ChangeStatus.PENDING:
        raise ValidationError(gettext("この変更申請はすでに判断済みです。"), code="change_decided")
    return change


def _decide(acting_user, change: GroupChangeRequest, status: str, note: str) -> GroupChangeRequest:
    change.status = status
    change.decided_by = acting_user
    change.decided_at = timezone.now()
    change.decision_note = note.strip()
    change.version += 1
    change.save()
    GroupNotice.objects.create(group=change.group, center_id=change.center_id, kind=NoticeKind.CHANGE_DECIDED,
                               text=f"{change.get_target_display()}: {change.get_status_display()}"
                                    + (f" — {change.decision_note}" if change.decision_note else ""))
    audit_record(actor=acting_user, action=f"groupchangerequest.{status}", target=change, organization=change.center)
    return change


@transaction.atomic
def change_request_approve(*, acting_user, change: GroupChangeRequest, note: str = "") -> GroupChangeRequest:
    """Staff approve: the proposal replaces the published version through the record's own service."""
    change = _decidable(acting_user, change)
    values = dict(change.values)
    if change.target == ChangeTarget.PROFILE:
        group_update(acting_user=acting_user, group=change.group, **values)
    elif change.target == ChangeTarget.OFFER and change.offer is not None:
        offer_update(acting_user=acting_user, offer=change.offer, **values)
    elif change.target == ChangeTarget.OFFER:
        offer_create(acting_user=acting_user, group=change.group, **values)
    elif change.event is not None:
        values["starts_at"] = parse_datetime(values["starts_at"])
        event_update(acting_user=acting_user, event=change.event, **values)
    else:
        values["starts_at"] = parse_datetime(values["starts_at"])
        event_create(acting_user=acting_user, center=change.group.center, is_public=True,
                     organizers=[change.group.organization], **values)
    return _decide(acting_user, change, ChangeStatus.APPROVED, note)


@transaction.atomic
def change_request_reject(*, acting_user, change: GroupChangeRequest, note: str) -> GroupChangeRequest:
    change = _decidable(acting_user, change)
    if not note.strip():
        raise ValidationError({"note": ValidationError(gettext("差し戻す理由を書いてください。"), code="required")})
    return _decide(acting_user, change, ChangeStatus.REJECTED, note)
