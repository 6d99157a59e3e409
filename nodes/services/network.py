"""Centers working as a network (issue 17), node side: declaring a relation at the hub (支援する /
支援を受ける), referring a consultation to another center (助言・同席の依頼) and answering one, and the
feed handlers through which the hub reports relations, referrals and their status."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext

from common.japanese import search_key
from permissions.audit import audit_record
from permissions.models import Organization, OrganizationKind
from permissions.scoping import get_scoped_or_deny
from sync.client import SyncError
from sync.wire import referrals as wire

from .. import hub_link
from ..known_data import all_personal_data
from ..models import (
    CenterRelation,
    Consultation,
    ConsultationChannel,
    Referral,
    ReferralDirection,
    ReferralKind,
    ReferralStatus,
    RelationRole,
)
from ..sharing import require_sendable
from .pipeline import require_center_staff, save_record
from .records import consultation_open


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _center_uuid(value, field: str) -> uuid_module.UUID:
    try:
        return uuid_module.UUID(str(value))
    except ValueError as error:
        raise _invalid(field, gettext("相手のセンターを選んでください。"), "invalid") from error


def _hub(method: str, path: str, payload: dict | None, client) -> dict:
    try:
        return hub_link.hub_client(client).json(method, path, payload)
    except SyncError as error:
        raise ValidationError(network_error_message(error), code=error.code) from error


def network_error_message(error) -> str:
    messages = {
        "center_not_found": gettext("このセンターはハブに登録されていません。"),
        "own_center": gettext("同じノードのセンターとの間では使えません。"),
        "status_backwards": gettext("この依頼の状態はすでに先に進んでいます。"),
    }
    return messages.get(error.code) or hub_link.hub_error_message(error)


# --- Center relations -------------------------------------------------------------------------------


def relation_declare(*, acting_user, center: Organization, other_center_uuid, role: str,
                     client=None) -> CenterRelation:
    """Declare at the hub this center's side of a relation: it backs the other center (role
    "backing"), or the other center backs it ("backed"). The relation holds once the other side has
    declared too; both nodes learn its state through the feed (and this one at once, from the answer)."""
    require_center_staff(acting_user, center.pk)
    if role not in RelationRole.values:
        raise _invalid("role", gettext("「支援する」か「支援を受ける」を選んでください。"), "invalid")
    other = _center_uuid(other_center_uuid, "other_center")
    answer = _hub("POST", "/sync/v1/relations", {
        "center": str(center.uuid), "other_center": str(other),
        "role": wire.ROLE_BACKS if role == RelationRole.BACKING else wire.ROLE_BACKED}, client)
    relations = _relation_apply(answer)
    audit_record(actor=acting_user, action="centerrelation.declare", organization=center,
                 detail={"role": role, "relation": answer.get("uuid")})
    return next(r for r in relations if r.center_id == center.pk)


@transaction.atomic
def _relation_apply(payload) -> list[CenterRelation]:
    if not isinstance(payload, dict) or not wire.RELATION_FEED_KEYS <= set(payload):
        raise ValueError("a relation entry lacks fields")
    confirmed = payload["confirmed_at"]
    confirmed_at = dt.datetime.fromisoformat(confirmed) if isinstance(confirmed, str) else None
    saved = []
    for role, ours, theirs in ((RelationRole.BACKING, "backing", "backed"), (RelationRole.BACKED, "backed", "backing")):
        center = Organization.objects.filter(kind=OrganizationKind.CENTER, uuid=payload[f"{ours}_center"]).first()
        if center is None:
            continue
        values = {"center": center, "role": role, "other_center_uuid": payload[f"{theirs}_center"],
                  "other_center_name": str(payload[f"{theirs}_center_name"])[:200],
                  "we_declared": bool(payload[f"{ours}_declared"]), "they_declared": bool(payload[f"{theirs}_declared"]),
                  "confirmed_at": confirmed_at}
        relation = CenterRelation.objects.select_for_update().filter(uuid=payload["uuid"]).first()
        created = relation is None
        relation = relation or CenterRelation(uuid=payload["uuid"])
        for name, value in values.items():
            setattr(relation, name, value)
        relation.search_text = search_key(relation.other_center_name)
        if not created:
            relation.version += 1
        relation.save()
        saved.append(relation)
    if not saved:
        raise ValueError("the relation names no center of this node")
    return saved


def relation_receive_item(item) -> list[CenterRelation]:
    """Feed handler (center_relation): the state of a relation one of our centers is part of."""
    relations = _relation_apply(item.payload)
    for relation in relations:
        audit_record(actor=None, action="centerrelation.receive", target=relation, organization=relation.center,
                     detail={"seq": item.seq, "confirmed": relation.confirmed_at is not None})
    return relations


# --- Referrals --------------------------------------------------------------------------------------


def _text(value: str, *, field: str, label: str, limit: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(field, gettext("%(label)sを入力してください。") % {"label": label}, "required")
    if len(value) > limit:
        raise _invalid(field, gettext("%(label)sは%(limit)d字以内にしてください。") % {"label": label, "limit": limit},
                       "max_length")
    return value


def referral_send(*, acting_user, consultation: Consultation, to_center_uuid, kind: str, summary: str,
                  question: str, client=None) -> Referral:
    """Ask another center, through the hub, for advice on a consultation or to sit in (同席). The summary
    and the question leave the node through the one door (scrubbed, then checked again); known
    personal data left after scrubbing refuses the referral, and nothing is sent or written. The
    requester's name, contact and notes never travel. Not one transaction: the hub is asked first
    (idempotent by the referral's uuid), and only an accepted referral is recorded here."""
    consultation = get_scoped_or_deny(acting_user, Consultation, "change", pk=consultation.pk)
    require_center_staff(acting_user, consultation.center_id)
    if kind not in ReferralKind.values:
        raise _invalid("kind", gettext("「助言の依頼」か「同席の依頼」を選んでください。"), "invalid")
    to_center = _center_uuid(to_center_uuid, "to_center")
    if to_center == consultation.center.uuid:
        raise _invalid("to_center", gettext("自分のセンターには依頼できません。"), "own_center")
    summary = _text(summary, field="summary", label=gettext("相談の概要"), limit=wire.MAX_SUMMARY, required=True)
    question = _text(question, field="question", label=gettext("聞きたいこと"), limit=wire.MAX_QUESTION,
                     required=True)
    known = all_personal_data()
    summary, question = require_sendable(summary, "summary", known).text, require_sendable(question, "question", known).text
    referral_uuid = uuid_module.uuid4()
    answer = _hub("POST", "/sync/v1/referrals", {
        "uuid": str(referral_uuid), "center": str(consultation.center.uuid), "to_center": str(to_center),
        "kind": kind, "summary": summary, "question": question}, client)
    with transaction.atomic():
        return save_record(Referral(uuid=referral_uuid), acting_user=acting_user, perm="add", values={
            "center": consultation.center, "direction": ReferralDirection.SENT, "kind": kind,
            "consultation": consultation, "other_center_uuid": to_center,
            "other_center_name": str(answer.get("to_center_name", ""))[:200] or gettext("他のセンター"),
            "summary": summary, "question": question, "requested_by": acting_user})


def _own_consultation(acting_user, referral: Referral, consultation: Consultation | None) -> Consultation:
    """The receiving center's consultation for a referral: the one staff chose, or a new 関わりカード."""
    if consultation is not None:
        consultation = get_scoped_or_deny(acting_user, Consultation, "change", pk=consultation.pk)
        if consultation.center_id != referral.center_id:
            raise _invalid("consultation", gettext("このセンターの記録ではありません。"), "other_center")
        return consultation
    topic = gettext("%(center)sからの相談") % {"center": referral.other_center_name}
    return consultation_open(acting_user=acting_user, center=referral.center, topic=topic[:200],
                             channel=ConsultationChannel.OTHER)


def referral_respond(*, acting_user, referral: Referral, status: str, message: str = "",
                     joint_on: dt.date | None = None, consultation: Consultation | None = None,
                     client=None) -> Referral:
    """The receiving center takes a referral on (受ける), answers it (回答), says it will sit in on a
    date (同席), or declines (お断り) — forward only. Taking it on links it to a consultation of this
    center (one chosen, or a new one). The message leaves scrubbed, as the referral came."""
    referral = get_scoped_or_deny(acting_user, Referral, "change", pk=referral.pk)
    if referral.direction != ReferralDirection.RECEIVED:
        raise ValidationError(gettext("依頼したセンターは回答できません。"), code="not_owner")
    if status not in wire.STATUSES[1:]:
        raise _invalid("status", gettext("回答の種類を選んでください。"), "invalid")
    if not wire.may_move(referral.status, status):
        raise ValidationError(gettext("この依頼の状態はすでに先に進んでいます。"), code="status_backwards")
    required = status in (ReferralStatus.ANSWERED, ReferralStatus.DECLINED)
    message = _text(message, field="message", label=gettext("回答"), limit=wire.MAX_MESSAGE, required=required)
    if status == ReferralStatus.JOINING and joint_on is None:
        raise _invalid("joint_on", gettext("同席する日を入力してください。"), "required")
    if status != ReferralStatus.JOINING:
        joint_on = None
    sent = require_sendable(message, "message", all_personal_data()).text if message else ""
    _hub("POST", f"/sync/v1/referrals/{referral.uuid}/status", {
        "status": status, "message": sent, "joint_on": joint_on.isoformat() if joint_on else None}, client)
    with transaction.atomic():
        linked = referral.consultation
        if linked is None and status != ReferralStatus.DECLINED:
            linked = _own_consultation(acting_user, referral, consultation)
        values = {"status": status, "joint_on": joint_on, "consultation": linked, "answered_by": acting_user,
                  "version": F("version") + 1}
        if sent:
            values["answer_message"] = sent
        if status in wire.FINAL_STATUSES:
            values["answered_at"] = timezone.now()
        # Forward only: a concurrent answer that got further first wins, this one changes nothing.
        earlier = [s for s in wire.STATUSES if wire.may_move(s, status)]
        Referral.objects.filter(pk=referral.pk, status__in=earlier).update(**values)
        referral.refresh_from_db()
        audit_record(actor=acting_user, action="referral.respond", target=referral, organization=referral.center,
                     detail={"status": referral.status})
    return referral


def _payload(item, keys: frozenset[str]) -> dict:
    payload = item.payload
    if not isinstance(payload, dict) or not keys <= set(payload):
        raise ValueError("a referral entry lacks fields")
    return payload


@transaction.atomic
def referral_receive_item(item) -> Referral:
    """Feed handler (referral_request): another center asks one of ours; it lands in that center's
    list. Idempotent by the referral's uuid."""
    payload = _payload(item, wire.REQUEST_FEED_KEYS)
    center = Organization.objects.filter(kind=OrganizationKind.CENTER, uuid=payload["to_center"]).first()
    if center is None:
        raise ValueError("the referral names no center of this node")
    if payload["kind"] not in ReferralKind.values:
        raise ValueError("unknown referral kind")
    record, created = Referral.objects.get_or_create(uuid=payload["uuid"], defaults={
        "center": center, "direction": ReferralDirection.RECEIVED, "kind": payload["kind"],
        "other_center_uuid": payload["from_center"], "other_center_name": str(payload["from_center_name"])[:200],
        "summary": str(payload["summary"]), "question": str(payload["question"]),
        "search_text": search_key(payload["from_center_name"], payload["summary"])})
    if created:
        audit_record(actor=None, action="referral.receive", target=record, organization=center,
                     detail={"seq": item.seq})
    return record


@transaction.atomic
def referral_status_receive_item(item) -> Referral:
    """Feed handler (referral_status): the receiving center moved one of our referrals forward."""
    payload = _payload(item, wire.STATUS_FEED_KEYS)
    status = payload["status"]
    record = Referral.objects.select_for_update().filter(uuid=payload["uuid"], direction=ReferralDirection.SENT).first()
    if record is None:
        raise ValueError("no referral of this node has this uuid")
    if status not in wire.STATUSES:
        raise ValueError("unknown referral status")
    if wire.may_move(record.status, status):  # forward only: a re-delivered entry changes nothing
        record.status = status
        record.joint_on = parse_date(str(payload["joint_on"])) if status == wire.JOINING else None
        if payload["message"]:
            record.answer_message = str(payload["message"])
        if status in wire.FINAL_STATUSES:
            record.answered_at = timezone.now()
        record.version += 1
        record.save(update_fields=["status", "joint_on", "answer_message", "answered_at", "version", "updated_at"])
        audit_record(actor=None, action="referral.status", target=record, organization=record.center,
                     detail={"status": status, "seq": item.seq})
    return record
