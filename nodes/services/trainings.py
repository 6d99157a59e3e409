"""Trainings and information-sharing meetings across centers (研修・情報共有会議, issue 17 item 4), node
side: the backing center opens one to the centers it backs, attaches materials and counts the
attendance; a backed center registers its staff (only the number of seats and a note leave the
node), changes or cancels before the deadline, and marks which of its staff attended. Every step
goes to the hub first (idempotent), and only what it accepted is written here; the feed handlers
keep both sides' copies in step."""

from __future__ import annotations

import base64
import datetime as dt
import uuid as uuid_module

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from common.japanese import search_key
from permissions.audit import audit_record
from permissions.models import Organization, OrganizationKind
from permissions.scoping import get_scoped_or_deny
from sync.client import SyncError
from sync.wire import trainings as wire

from .. import hub_link
from ..known_data import all_personal_data
from ..models import (
    CenterRelation,
    RelationRole,
    Training,
    TrainingKind,
    TrainingMaterial,
    TrainingParticipant,
    TrainingRegistration,
    TrainingSide,
    TrainingStatus,
)
from ..sharing import require_sendable
from ..training_selectors import center_staff
from .network import _invalid, _text
from .pipeline import require_center_staff


def training_error_message(error) -> str:
    messages = {
        "training_full": gettext("定員に達しているため、この人数では申し込めません。"),
        "over_center_capacity": gettext("1センターあたりの定員を超えています。"),
        "deadline_passed": gettext("申込締切を過ぎています。"),
        "training_closed": gettext("この研修・情報共有会議は受付を終了しています。"),
        "not_found": gettext("この研修・情報共有会議はハブにありません。"),
        "not_backed": gettext("支援関係のないセンターには案内できません。"),
        "no_backed_centers": gettext("支援関係が成立したセンターがまだありません。"),
        "not_yet_held": gettext("開始前のため、参加人数はまだ記録できません。"),
        "not_registered": gettext("申込のないセンターの参加人数は記録できません。"),
        "over_seats": gettext("参加人数が申込人数を超えています。"),
        "material_too_large": gettext("ファイルが大きすぎます。"),
        "material_type": gettext("PDFまたはOffice文書（Word・Excel・PowerPoint）のファイルを選んでください。"),
    }
    return messages.get(error.code) or hub_link.hub_error_message(error)


def _hub(method: str, path: str, payload: dict | None, client) -> dict:
    try:
        return hub_link.hub_client(client).json(method, path, payload)
    except SyncError as error:
        raise ValidationError(training_error_message(error), code=error.code) from error


def _moment(value) -> dt.datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def _capacity(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= wire.MAX_CAPACITY:
        raise _invalid(field, gettext("定員は1から%(max)dまでの数で入力してください。") % {"max": wire.MAX_CAPACITY},
                       "invalid")
    return value


def backed_centers(*, center: Organization) -> list[CenterRelation]:
    """The centers this center backs by a confirmed relation: the ones a training may be opened to."""
    return list(CenterRelation.objects.filter(center=center, role=RelationRole.BACKING, confirmed_at__isnull=False))


# --- The organizer ----------------------------------------------------------------------------------


def training_open(*, acting_user, center: Organization, kind: str, title: str, description: str,
                  starts_at: dt.datetime | None, ends_at: dt.datetime | None, place: str, online: bool,
                  capacity_per_center: int | None, capacity_total: int | None, deadline: dt.datetime | None,
                  to_centers: list[str] | None = None, client=None) -> Training:
    """Open a training or an information-sharing meeting to the centers this center backs (all, or the
    ones chosen). Title, description and place leave the node through the one door; the hub passes
    the training on to the invited nodes only."""
    require_center_staff(acting_user, center.pk)
    if kind not in TrainingKind.values:
        raise _invalid("kind", gettext("「研修」か「情報共有会議」を選んでください。"), "invalid")
    title = _text(title, field="title", label=gettext("名称"), limit=wire.MAX_TITLE, required=True)
    description = _text(description, field="description", label=gettext("内容"), limit=wire.MAX_DESCRIPTION,
                        required=False)
    place = _text(place, field="place", label=gettext("会場"), limit=wire.MAX_PLACE, required=False)
    if not place and not online:
        raise _invalid("place", gettext("会場を入力するか、オンラインを選んでください。"), "required")
    if starts_at is None:
        raise _invalid("starts_at", gettext("開始日時を入力してください。"), "required")
    if deadline is None:
        raise _invalid("deadline", gettext("申込締切を入力してください。"), "required")
    if ends_at is not None and ends_at < starts_at:
        raise _invalid("ends_at", gettext("終了日時は開始日時より後にしてください。"), "ends_before_start")
    if deadline > starts_at:
        raise _invalid("deadline", gettext("申込締切は開始日時より前にしてください。"), "deadline_after_start")
    if deadline <= timezone.now():
        raise _invalid("deadline", gettext("申込締切は今より後にしてください。"), "deadline_past")
    capacity_per_center = _capacity(capacity_per_center, "capacity_per_center")
    capacity_total = _capacity(capacity_total, "capacity_total")
    relations = {str(r.other_center_uuid): r for r in backed_centers(center=center)}
    if not relations:
        raise ValidationError(gettext("支援関係が成立したセンターがまだありません。"), code="no_backed_centers")
    chosen = [str(value) for value in (to_centers or [])]
    if any(value not in relations for value in chosen):
        raise _invalid("to_centers", gettext("支援関係のないセンターには案内できません。"), "not_backed")
    known = all_personal_data()
    title, place = require_sendable(title, "title", known).text, require_sendable(place, "place", known).text
    description = require_sendable(description, "description", known).text if description else ""
    training_uuid = uuid_module.uuid4()
    answer = _hub("POST", "/sync/v1/trainings", {
        "uuid": str(training_uuid), "center": str(center.uuid), "kind": kind, "title": title,
        "description": description, "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat() if ends_at else None, "place": place, "online": bool(online),
        "capacity_per_center": capacity_per_center, "capacity_total": capacity_total,
        "deadline": deadline.isoformat(), "to_centers": chosen}, client)
    with transaction.atomic():
        training = _training_apply(answer, created_by=acting_user)
        audit_record(actor=acting_user, action="training.open", target=training, organization=center,
                     detail={"kind": kind, "invited": len(training.invited_centers)})
    return training


def training_cancel(*, acting_user, training: Training, client=None) -> Training:
    """The organizer cancels (中止); the invited nodes learn it through the feed."""
    training = get_scoped_or_deny(acting_user, Training, "change", pk=training.pk)
    if training.side != TrainingSide.ORGANIZER:
        raise ValidationError(gettext("主催のセンターだけが中止できます。"), code="not_organizer")
    if training.status != TrainingStatus.OPEN:
        raise ValidationError(gettext("この研修・情報共有会議は受付を終了しています。"), code="training_closed")
    _hub("POST", f"/sync/v1/trainings/{training.uuid}/status", {"status": wire.CANCELLED}, client)
    with transaction.atomic():
        Training.objects.filter(pk=training.pk, status=TrainingStatus.OPEN).update(status=TrainingStatus.CANCELLED)
        training.refresh_from_db()
        audit_record(actor=acting_user, action="training.cancel", target=training, organization=training.center)
    return training


def _material_file(upload) -> tuple[str, bytes, str]:
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][-wire.MAX_FILENAME:]
    if upload.size > wire.MAX_MATERIAL_BYTES:
        raise _invalid("file", gettext("ファイルは%(mb)dMBまでにしてください。") % {
            "mb": wire.MAX_MATERIAL_BYTES // (1024 * 1024)}, "too_large")
    data = upload.read()
    content_type = wire.material_type(name, data[:8])
    if content_type is None:
        raise _invalid("file", gettext("PDFまたはOffice文書（Word・Excel・PowerPoint）のファイルを選んでください。"),
                       "file_type")
    return name, data, content_type


def material_attach(*, acting_user, training: Training, title: str, description: str = "", upload=None,
                    link: str = "", no_personal_data: bool = False, client=None) -> TrainingMaterial:
    """Attach a material: a file (PDF or an office document, at most MAX_MATERIAL_BYTES) or an https
    link. Staff confirm it holds no personal data (recorded with who and when): a file's contents
    cannot be scrubbed, so it is their word that lets it leave; title and description go through
    the one door. The hub keeps the file for the registered centers to fetch."""
    training = get_scoped_or_deny(acting_user, Training, "change", pk=training.pk)
    if training.side != TrainingSide.ORGANIZER:
        raise ValidationError(gettext("主催のセンターだけが資料を添付できます。"), code="not_organizer")
    if training.status == TrainingStatus.CANCELLED:
        raise ValidationError(gettext("中止した研修・情報共有会議には資料を添付できません。"), code="training_closed")
    title = _text(title, field="title", label=gettext("資料名"), limit=wire.MAX_MATERIAL_TITLE, required=True)
    description = _text(description, field="description", label=gettext("説明"),
                        limit=wire.MAX_MATERIAL_DESCRIPTION, required=False)
    link = (link or "").strip()
    if bool(upload) == bool(link):
        raise _invalid("file", gettext("ファイルかリンクのどちらか一方を指定してください。"), "file_or_link")
    if link and (not link.startswith("https://") or len(link) > wire.MAX_LINK):
        raise _invalid("link", gettext("リンクは https:// で始まるURLにしてください。"), "invalid")
    if not no_personal_data:
        raise _invalid("no_personal_data", gettext("資料に個人情報が含まれていないことを確認してください。"), "required")
    filename, data, content_type = _material_file(upload) if upload else ("", b"", "")
    known = all_personal_data()
    title = require_sendable(title, "title", known).text
    description = require_sendable(description, "description", known).text if description else ""
    material_uuid = uuid_module.uuid4()
    _hub("POST", f"/sync/v1/trainings/{training.uuid}/materials", {
        "uuid": str(material_uuid), "title": title, "description": description, "filename": filename,
        "content": base64.b64encode(data).decode("ascii") if upload else None, "link": link,
        "no_personal_data": True}, client)
    with transaction.atomic():
        material = TrainingMaterial.objects.create(
            uuid=material_uuid, center=training.center, training=training, title=title, description=description,
            filename=filename, content_type=content_type, content=data, size=len(data), link=link,
            confirmed_by=acting_user, confirmed_at=timezone.now(), search_text=search_key(title, description))
        audit_record(actor=acting_user, action="training.material_attach", target=material,
                     organization=training.center, detail={"size": len(data), "link": bool(link)})
    return material


def attendance_record(*, acting_user, training: Training, counts: dict[str, int | None], client=None) -> Training:
    """After the event has begun, the organizer's count of attendees per registered center
    (registration uuid → count), all at once: the hub applies all or none, and so does this node."""
    training = get_scoped_or_deny(acting_user, Training, "change", pk=training.pk)
    if training.side != TrainingSide.ORGANIZER:
        raise ValidationError(gettext("参加人数は主催のセンターが記録します。"), code="not_organizer")
    if training.status == TrainingStatus.CANCELLED:
        raise ValidationError(gettext("中止した研修・情報共有会議です。"), code="training_closed")
    if training.starts_at > timezone.now():
        raise ValidationError(gettext("開始前のため、参加人数はまだ記録できません。"), code="not_yet_held")
    registrations = {str(r.uuid): r for r in training.registrations.filter(seats__gt=0)}
    rows = {}
    for key, value in counts.items():
        registration = registrations.get(str(key))
        if registration is None:
            raise _invalid("attendance", gettext("申込のないセンターの参加人数は記録できません。"), "not_registered")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= registration.seats:
            raise _invalid("attendance", gettext("%(center)sの参加人数は0から申込人数（%(seats)d人）までで入力してください。")
                           % {"center": registration.registering_center_name, "seats": registration.seats},
                           "over_seats")
        rows[registration] = value
    if not rows:
        raise _invalid("attendance", gettext("参加人数を入力してください。"), "required")
    _hub("POST", f"/sync/v1/trainings/{training.uuid}/attendance", {"attendance": [
        {"center": str(r.registering_center_uuid), "attended": n} for r, n in rows.items()]}, client)
    with transaction.atomic():
        for registration, attended in rows.items():
            TrainingRegistration.objects.filter(pk=registration.pk).update(attended=attended)
        Training.objects.filter(pk=training.pk, status=TrainingStatus.OPEN).update(status=TrainingStatus.HELD)
        training.refresh_from_db()
        audit_record(actor=acting_user, action="training.attendance", target=training, organization=training.center,
                     detail={"centers": len(rows), "attended": sum(rows.values())})
    return training


# --- A registering center -----------------------------------------------------------------------------


def training_register(*, acting_user, training: Training, staff_ids: list, note: str = "",
                      client=None) -> TrainingRegistration:
    """Register the center's staff for a training it was invited to, change who goes, or cancel
    (no one). Only the number of seats and the scrubbed note leave the node; the hub refuses a
    registration over the capacity or after the deadline, and then nothing changes here."""
    training = get_scoped_or_deny(acting_user, Training, "change", pk=training.pk)
    if training.side != TrainingSide.INVITED:
        raise ValidationError(gettext("案内を受けたセンターだけが申し込めます。"), code="not_invited")
    if training.status != TrainingStatus.OPEN:
        raise ValidationError(gettext("この研修・情報共有会議は受付を終了しています。"), code="training_closed")
    if timezone.now() > training.deadline:
        raise ValidationError(gettext("申込締切を過ぎています。"), code="deadline_passed")
    staff = {u.pk: u for u in center_staff(center=training.center)}
    try:
        chosen = list(dict.fromkeys(int(value) for value in staff_ids))
    except (TypeError, ValueError) as error:
        raise _invalid("staff", gettext("参加する職員を選んでください。"), "invalid") from error
    if any(pk not in staff for pk in chosen):
        raise _invalid("staff", gettext("このセンターの職員を選んでください。"), "not_staff")
    if len(chosen) > wire.MAX_SEATS:
        raise _invalid("staff", gettext("一度に申し込めるのは%(max)d人までです。") % {"max": wire.MAX_SEATS}, "too_many")
    if training.capacity_per_center is not None and len(chosen) > training.capacity_per_center:
        raise _invalid("staff", gettext("1センターあたりの定員（%(n)d人）を超えています。") % {
            "n": training.capacity_per_center}, "over_center_capacity")
    registration = training.registrations.first()
    if not chosen and registration is None:
        raise _invalid("staff", gettext("参加する職員を選んでください。"), "required")
    note = _text(note, field="note", label=gettext("連絡事項"), limit=wire.MAX_NOTE, required=False)
    note = require_sendable(note, "note", all_personal_data()).text if note else ""
    _hub("POST", f"/sync/v1/trainings/{training.uuid}/registrations", {
        "center": str(training.center.uuid), "seats": len(chosen), "note": note}, client)
    with transaction.atomic():
        if registration is None:
            registration = TrainingRegistration(
                center=training.center, training=training, registering_center_uuid=training.center.uuid,
                registering_center_name=training.center.name)
        else:
            registration.version += 1
        registration.seats, registration.note, registration.registered_by = len(chosen), note, acting_user
        registration.search_text = search_key(registration.registering_center_name)
        registration.save()
        registration.participants.exclude(user_id__in=chosen).delete()
        TrainingParticipant.objects.bulk_create([TrainingParticipant(registration=registration, user=staff[pk])
                                                 for pk in chosen], ignore_conflicts=True)
        audit_record(actor=acting_user, action="training.register", target=registration,
                     organization=training.center, detail={"seats": len(chosen)})
    return registration


@transaction.atomic
def participants_attended(*, acting_user, registration: TrainingRegistration, attended_ids: list) -> int:
    """The registering center marks which of its registered staff attended (kept on this node only)."""
    registration = get_scoped_or_deny(acting_user, TrainingRegistration, "change", pk=registration.pk)
    if registration.training.side != TrainingSide.INVITED:
        raise PermissionDenied("permission_denied")
    if registration.training.starts_at > timezone.now():
        raise ValidationError(gettext("開始前のため、参加はまだ記録できません。"), code="not_yet_held")
    try:
        chosen = {int(value) for value in attended_ids}
    except (TypeError, ValueError) as error:
        raise _invalid("attended", gettext("参加した職員を選んでください。"), "invalid") from error
    participants = list(registration.participants.all())
    if chosen - {p.user_id for p in participants}:
        raise _invalid("attended", gettext("申し込んだ職員から選んでください。"), "not_registered")
    for participant in participants:
        participant.attended = participant.user_id in chosen
    TrainingParticipant.objects.bulk_update(participants, ["attended"])
    audit_record(actor=acting_user, action="training.participants_attended", target=registration,
                 organization=registration.center, detail={"attended": len(chosen)})
    return len(chosen)


def material_download(*, acting_user, material: TrainingMaterial, client=None) -> tuple[str, str, bytes]:
    """A material's file for the center's staff: the organizer's own copy, or, on a registered node,
    fetched from the hub now (the hub gives it only to a node whose center took seats)."""
    material = get_scoped_or_deny(acting_user, TrainingMaterial, "view", pk=material.pk)
    if not material.filename:
        raise ValidationError(gettext("この資料はリンクです。"), code="link")
    if material.content:
        data = bytes(material.content)
    else:
        answer = _hub("GET", f"/sync/v1/trainings/{material.training.uuid}/materials/{material.uuid}", None, client)
        try:
            data = base64.b64decode(answer["content"], validate=True)
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError(gettext("ハブの応答を読み取れませんでした。"), code="unreadable") from error
    audit_record(actor=acting_user, action="training.material_download", target=material,
                 organization=material.center, detail={"size": len(data)})
    return material.filename, material.content_type or "application/octet-stream", data


# --- The feed -----------------------------------------------------------------------------------------


def _payload(item, keys: frozenset[str]) -> dict:
    payload = item.payload if hasattr(item, "payload") else item
    if not isinstance(payload, dict) or not keys <= set(payload):
        raise ValueError("a training entry lacks fields")
    return payload


def _training_apply(payload, *, created_by=None) -> Training:
    """The training as the hub reports it, on the organizer's node or an invited one."""
    payload = _payload(payload, wire.TRAINING_FEED_KEYS)
    organizer = Organization.objects.filter(kind=OrganizationKind.CENTER, uuid=payload["center"]).first()
    invited = [c for c in payload["invited"] if isinstance(c, dict) and {"uuid", "name"} <= set(c)]
    if organizer is not None:
        center, side = organizer, TrainingSide.ORGANIZER
    else:
        ours = Organization.objects.filter(kind=OrganizationKind.CENTER, uuid__in=[c["uuid"] for c in invited])
        center, side = ours.order_by("pk").first(), TrainingSide.INVITED
        if center is None:
            raise ValueError("the training names no center of this node")
    if payload["kind"] not in TrainingKind.values or payload["status"] not in TrainingStatus.values:
        raise ValueError("unknown training kind or status")
    training = Training.objects.select_for_update().filter(uuid=payload["uuid"]).first()
    if training is not None and not wire.may_move(training.status, payload["status"]) \
            and training.status != payload["status"]:
        payload = {**payload, "status": training.status}  # forward only: a late entry keeps the status
    values = {
        "center": center, "side": side, "kind": payload["kind"], "title": str(payload["title"])[:wire.MAX_TITLE],
        "description": str(payload["description"] or ""), "starts_at": _moment(payload["starts_at"]),
        "ends_at": _moment(payload["ends_at"]), "place": str(payload["place"] or "")[:wire.MAX_PLACE],
        "online": bool(payload["online"]), "capacity_per_center": payload["capacity_per_center"],
        "capacity_total": payload["capacity_total"], "deadline": _moment(payload["deadline"]),
        "status": payload["status"], "organizer_center_uuid": payload["center"],
        "organizer_center_name": str(payload["center_name"])[:200],
        "invited_centers": [{"uuid": str(c["uuid"]), "name": str(c["name"])[:200]} for c in invited],
        "seats_taken": int(payload["seats_taken"] or 0)}
    if values["starts_at"] is None or values["deadline"] is None:
        raise ValueError("a training entry lacks its times")
    created = training is None
    training = training or Training(uuid=payload["uuid"], created_by=created_by)
    for name, value in values.items():
        setattr(training, name, value)
    training.search_text = search_key(training.title, training.description, training.place,
                                      training.organizer_center_name)
    if not created:
        training.version += 1
    training.save()
    _materials_apply(training, payload["materials"])
    return training


def _materials_apply(training: Training, materials) -> None:
    """An invited node keeps each material's title and description (its file stays on the hub)."""
    if training.side != TrainingSide.INVITED or not isinstance(materials, list):
        return
    for row in materials:
        if not isinstance(row, dict) or not wire.MATERIAL_FEED_KEYS <= set(row):
            raise ValueError("a material entry lacks fields")
        TrainingMaterial.objects.update_or_create(uuid=row["uuid"], defaults={
            "center": training.center, "training": training, "title": str(row["title"])[:wire.MAX_MATERIAL_TITLE],
            "description": str(row["description"] or ""), "filename": str(row["filename"] or "")[:wire.MAX_FILENAME],
            "size": int(row["size"] or 0), "link": str(row["link"] or "")[:wire.MAX_LINK],
            "content_type": wire.MATERIAL_TYPES.get("." + str(row["filename"]).rsplit(".", 1)[-1].lower(), ("",))[0]
            if row["filename"] else ""})


@transaction.atomic
def training_receive_item(item) -> Training:
    """Feed handler (training): a training opened to one of our centers, or ours, as it now stands."""
    training = _training_apply(item)
    audit_record(actor=None, action="training.receive", target=training, organization=training.center,
                 detail={"seq": item.seq, "status": training.status})
    return training


@transaction.atomic
def registration_receive_item(item) -> TrainingRegistration:
    """Feed handler (training_registration), on the organizer's node: a center's seats (0: cancelled)."""
    payload = _payload(item, wire.REGISTRATION_FEED_KEYS)
    training = Training.objects.filter(uuid=payload["training"], side=TrainingSide.ORGANIZER).first()
    if training is None:
        raise ValueError("no training of this node has this uuid")
    seats = payload["seats"]
    if isinstance(seats, bool) or not isinstance(seats, int) or not 0 <= seats <= wire.MAX_SEATS:
        raise ValueError("seats")
    registration, created = TrainingRegistration.objects.select_for_update().get_or_create(
        training=training, registering_center_uuid=payload["center"], defaults={
            "center": training.center, "registering_center_name": str(payload["center_name"])[:200], "seats": seats})
    registration.registering_center_name = str(payload["center_name"])[:200]
    registration.seats, registration.note = seats, str(payload["note"] or "")[:wire.MAX_NOTE]
    if registration.attended is not None and registration.attended > seats:
        registration.attended = None
    registration.search_text = search_key(registration.registering_center_name)
    if not created:
        registration.version += 1
    registration.save()
    audit_record(actor=None, action="training.registration_receive", target=registration,
                 organization=training.center, detail={"seq": item.seq, "seats": seats})
    return registration


@transaction.atomic
def attendance_receive_item(item) -> TrainingRegistration:
    """Feed handler (training_attendance), on the registering node: the organizer's count of our staff."""
    payload = _payload(item, wire.ATTENDANCE_FEED_KEYS)
    registration = TrainingRegistration.objects.select_for_update().filter(
        training__uuid=payload["training"], training__side=TrainingSide.INVITED,
        registering_center_uuid=payload["center"]).first()
    if registration is None:
        raise ValueError("no registration of this node for this training")
    attended = payload["attended"]
    if isinstance(attended, bool) or not isinstance(attended, int) or not 0 <= attended <= registration.seats:
        raise ValueError("attended")
    registration.attended = attended
    registration.version += 1
    registration.save(update_fields=["attended", "version", "updated_at"])
    audit_record(actor=None, action="training.attendance_receive", target=registration,
                 organization=registration.center, detail={"seq": item.seq, "attended": attended})
    return registration
