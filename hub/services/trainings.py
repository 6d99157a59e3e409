"""Trainings and information-sharing meetings across centers (issue 17 item 4), hub side: a backing
center's node opens one to the centers it backs (by confirmed relations only); their nodes register
seats under the capacity, before the deadline; the organizer attaches materials and, after the
event, counts the attendance per center. The feed carries the training to the invited nodes only,
each registration to the organizer and each count to the registering node."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from permissions.audit import audit_record
from sync.wire import trainings as wire
from sync.wire.disaster import CLOCK_SKEW_MINUTES

from ..models import (
    CenterRelation,
    Node,
    NodeCenter,
    Training,
    TrainingInvitation,
    TrainingMaterial,
    TrainingRegistration,
)
from . import checks
from .feed import feed_publish
from .referrals import NetworkRefused, _keys, _own_center


def _refuse_field(error: ValueError) -> NetworkRefused:
    return NetworkRefused("payload_invalid", f"field {error} is not acceptable")


def _own_training(node: Node, training_uuid, *, lock: bool = True) -> Training:
    query = Training.objects.select_for_update() if lock else Training.objects
    training = query.filter(uuid=training_uuid).first()
    if training is None or training.node_id != node.pk:
        raise NetworkRefused("not_found", "no training of this node has this uuid", status=404)
    return training


def _seats_taken(training: Training) -> int:
    return training.registrations.aggregate(n=Sum("seats"))["n"] or 0


def material_payload(material: TrainingMaterial) -> dict:
    return {"uuid": str(material.uuid), "title": material.title, "description": material.description,
            "filename": material.filename, "size": material.size, "link": material.link}


def training_payload(training: Training, node_id: int) -> dict:
    """The feed payload for one node: the training, and only that node's invited centers."""
    invited = [{"uuid": str(i.center_uuid), "name": i.center_name} for i in training.invitations.all()
               if node_id in (i.node_id, training.node_id)]
    return {"uuid": str(training.uuid), "center": str(training.center_uuid), "center_name": training.center_name,
            "kind": training.kind, "title": training.title, "description": training.description,
            "starts_at": training.starts_at.isoformat(), "ends_at": training.ends_at.isoformat() if training.ends_at else None,
            "place": training.place, "online": training.online, "capacity_per_center": training.capacity_per_center,
            "capacity_total": training.capacity_total, "deadline": training.deadline.isoformat(),
            "status": training.status, "invited": invited, "seats_taken": _seats_taken(training),
            "materials": [material_payload(m) for m in training.materials.all()]}


def _publish(training: Training) -> None:
    """The training as it stands, to the organizer and every invited node (never to any other)."""
    for node_id in sorted({training.node_id, *training.invitations.values_list("node_id", flat=True)}):
        feed_publish(acting_user=None, kind=wire.TRAINING_KIND, node=Node.objects.get(pk=node_id),
                     payload=training_payload(training, node_id))


def _capacity(value, name: str) -> int | None:
    return checks.integer(value, name, low=1, high=wire.MAX_CAPACITY, nullable=True)


@transaction.atomic
def training_open(*, node: Node, payload) -> tuple[Training, bool]:
    """Open a training for one of the node's centers to the centers it backs (all of them, or the ones
    named), or change it while it is open. The invited centers are fixed when it is first opened."""
    payload = _keys(payload, wire.TRAINING_KEYS)
    try:
        training_uuid, center_uuid = checks.uuid(payload["uuid"], "uuid"), checks.uuid(payload["center"], "center")
        values = {
            "kind": checks.choice(payload["kind"], "kind", wire.KINDS),
            "title": checks.text(payload, "title", wire.MAX_TITLE, required=True),
            "description": checks.text(payload, "description", wire.MAX_DESCRIPTION),
            "starts_at": checks.moment(payload, "starts_at", required=True),
            "ends_at": checks.moment(payload, "ends_at", required=False),
            "place": checks.text(payload, "place", wire.MAX_PLACE),
            "online": payload["online"] if isinstance(payload["online"], bool) else _bad("online"),
            "capacity_per_center": _capacity(payload["capacity_per_center"], "capacity_per_center"),
            "capacity_total": _capacity(payload["capacity_total"], "capacity_total"),
            "deadline": checks.moment(payload, "deadline", required=True),
        }
        to_centers = payload["to_centers"]
        if not isinstance(to_centers, list) or len(to_centers) > 500:
            raise ValueError("to_centers")
        to_centers = {checks.uuid(value, "to_centers") for value in to_centers}
    except ValueError as error:
        raise _refuse_field(error) from error
    if values["ends_at"] and values["ends_at"] < values["starts_at"]:
        raise NetworkRefused("payload_invalid", "field ends_at is not acceptable")
    if values["deadline"] > values["starts_at"]:
        raise NetworkRefused("payload_invalid", "field deadline is not acceptable")
    if not values["place"].strip() and not values["online"]:
        raise NetworkRefused("payload_invalid", "field place is not acceptable")
    center = _own_center(node, center_uuid)
    existing = Training.objects.select_for_update().filter(uuid=training_uuid).first()
    if existing is not None:
        if existing.node_id != node.pk or existing.center_uuid != center_uuid:
            raise NetworkRefused("uuid_conflict", "this training uuid is already used", status=409)
        if existing.status != wire.OPEN:
            raise NetworkRefused("training_closed", "the training is no longer open", status=409)
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        audit_record(actor=None, action="hub.training_change", target=existing, detail={"node": node.slug})
        _publish(existing)
        return existing, False
    backed = {r.backed_center_uuid: r for r in CenterRelation.objects.filter(
        backing_center_uuid=center_uuid, confirmed_at__isnull=False)}
    unknown = to_centers - set(backed)
    if unknown:
        # Only the centers this center backs; to the organizer any other center does not exist here.
        raise NetworkRefused("not_backed", "a named center is not backed by this center", status=403)
    chosen = [backed[u] for u in (to_centers or backed)]
    if not chosen:
        raise NetworkRefused("no_backed_centers", "this center backs no center yet", status=409)
    names = dict(NodeCenter.objects.filter(center_uuid__in=[r.backed_center_uuid for r in chosen])
                 .values_list("center_uuid", "name"))
    training = Training.objects.create(uuid=training_uuid, node=node, center_uuid=center_uuid,
                                       center_name=center.name, **values)
    TrainingInvitation.objects.bulk_create([
        TrainingInvitation(training=training, node_id=r.backed_node_id, center_uuid=r.backed_center_uuid,
                           center_name=names.get(r.backed_center_uuid, "")) for r in chosen])
    audit_record(actor=None, action="hub.training_open", target=training,
                 detail={"node": node.slug, "invited": len(chosen)})
    _publish(training)
    return training, True


def _bad(name: str):
    raise ValueError(name)


@transaction.atomic
def training_status(*, node: Node, training_uuid, payload) -> tuple[Training, bool]:
    """The organizer cancels (中止); forward only. The same status again changes nothing."""
    training = _own_training(node, training_uuid)
    payload = _keys(payload, wire.STATUS_KEYS)
    try:
        status = checks.choice(payload["status"], "status", (wire.CANCELLED,))
    except ValueError as error:
        raise _refuse_field(error) from error
    if training.status == status:
        return training, False
    if not wire.may_move(training.status, status):
        raise NetworkRefused("status_backwards", f"a training {training.status} cannot become {status}", status=409)
    training.status = status
    training.save(update_fields=["status"])
    audit_record(actor=None, action="hub.training_status", target=training, detail={"status": status})
    _publish(training)
    return training, True


@transaction.atomic
def registration_set(*, node: Node, training_uuid, payload) -> TrainingRegistration:
    """An invited center of the node takes seats, changes them, or cancels (0), while the training is
    open and before its deadline, within the capacity per center and in all. The training row is
    locked, so two centers cannot both take the last seat."""
    payload = _keys(payload, wire.REGISTRATION_KEYS)
    try:
        center_uuid = checks.uuid(payload["center"], "center")
        seats = checks.integer(payload["seats"], "seats", low=0, high=wire.MAX_SEATS)
        note = checks.text(payload, "note", wire.MAX_NOTE)
    except ValueError as error:
        raise _refuse_field(error) from error
    center = _own_center(node, center_uuid)
    training = Training.objects.select_for_update().filter(uuid=training_uuid).first()
    if training is None or not training.invitations.filter(center_uuid=center_uuid).exists():
        # To a center it was not opened to, the training does not exist.
        raise NetworkRefused("not_found", "no training open to this center has this uuid", status=404)
    if training.status != wire.OPEN:
        raise NetworkRefused("training_closed", "the training is no longer open", status=409)
    if timezone.now() > training.deadline:
        raise NetworkRefused("deadline_passed", "the registration deadline has passed", status=409)
    if training.capacity_per_center is not None and seats > training.capacity_per_center:
        raise NetworkRefused("over_center_capacity", "more seats than one center may take", status=409)
    registration = TrainingRegistration.objects.filter(training=training, center_uuid=center_uuid).first()
    others = _seats_taken(training) - (registration.seats if registration else 0)
    if training.capacity_total is not None and others + seats > training.capacity_total:
        raise NetworkRefused("training_full", "the training has not that many seats left", status=409)
    if registration is None:
        registration = TrainingRegistration(training=training, node=node, center_uuid=center_uuid)
    registration.center_name, registration.seats, registration.note = center.name, seats, note
    registration.save()
    audit_record(actor=None, action="hub.training_register", target=registration,
                 detail={"training": str(training.uuid), "node": node.slug, "seats": seats})
    feed_publish(acting_user=None, kind=wire.REGISTRATION_KIND, node=training.node, payload={
        "training": str(training.uuid), "center": str(center_uuid), "center_name": center.name, "seats": seats,
        "note": note, "changed_at": timezone.now().isoformat()})
    _publish(training)
    return registration


@transaction.atomic
def attendance_record(*, node: Node, training_uuid, payload) -> Training:
    """After the event has begun, the organizer's count of attendees per registered center, all or
    none; each registering node learns its count. The training becomes 開催済み."""
    training = _own_training(node, training_uuid)
    payload = _keys(payload, wire.ATTENDANCE_KEYS)
    try:
        rows = checks.list_of(payload["attendance"], "attendance", wire.ATTENDANCE_ROW_KEYS, 500)
        counts = {checks.uuid(row["center"], "center"): checks.integer(row["attended"], "attended", low=0,
                                                                        high=wire.MAX_SEATS) for row in rows}
    except ValueError as error:
        raise _refuse_field(error) from error
    if not counts or len(counts) != len(rows):
        raise NetworkRefused("payload_invalid", "field attendance is not acceptable")
    if training.status == wire.CANCELLED:
        raise NetworkRefused("training_closed", "the training was cancelled", status=409)
    if training.starts_at > timezone.now() + dt.timedelta(minutes=CLOCK_SKEW_MINUTES):
        raise NetworkRefused("not_yet_held", "the training has not begun yet", status=409)
    registrations = {r.center_uuid: r for r in training.registrations.select_for_update().filter(
        center_uuid__in=counts, seats__gt=0)}
    if set(registrations) != set(counts):
        raise NetworkRefused("not_registered", "a center named has no seats in this training", status=404)
    if any(attended > registrations[center].seats for center, attended in counts.items()):
        raise NetworkRefused("over_seats", "more attendees than the center's seats", status=409)
    for center, attended in counts.items():
        registration = registrations[center]
        if registration.attended == attended:
            continue
        registration.attended = attended
        registration.save(update_fields=["attended", "updated_at"])
        feed_publish(acting_user=None, kind=wire.ATTENDANCE_KIND, node=registration.node, payload={
            "training": str(training.uuid), "center": str(center), "attended": attended})
    training.status = wire.HELD
    training.save(update_fields=["status"])
    audit_record(actor=None, action="hub.training_attendance", target=training,
                 detail={"centers": len(counts), "attended": sum(counts.values())})
    _publish(training)
    return training


@transaction.atomic
def material_attach(*, node: Node, training_uuid, payload) -> tuple[TrainingMaterial, bool]:
    """A material of the organizer's: a file (PDF or an office document, by its name and its first
    bytes, at most MAX_MATERIAL_BYTES) or an https link; confirmed to hold no personal data.
    Idempotent by the material's uuid."""
    training = _own_training(node, training_uuid)
    payload = _keys(payload, wire.MATERIAL_KEYS)
    try:
        material_uuid = checks.uuid(payload["uuid"], "uuid")
        title = checks.text(payload, "title", wire.MAX_MATERIAL_TITLE, required=True)
        description = checks.text(payload, "description", wire.MAX_MATERIAL_DESCRIPTION)
        filename = checks.text(payload, "filename", wire.MAX_FILENAME)
        link = checks.text(payload, "link", wire.MAX_LINK)
        if payload["no_personal_data"] is not True:
            raise ValueError("no_personal_data")
        content = payload["content"]
        if bool(filename) == bool(link) or (content is None) != (not filename) or not isinstance(content, (str, type(None))):
            raise ValueError("content")
    except ValueError as error:
        raise _refuse_field(error) from error
    try:
        data = base64.b64decode(content, validate=True) if content is not None else b""
    except (binascii.Error, ValueError) as error:
        raise NetworkRefused("payload_invalid", "field content is not acceptable") from error
    if link and not link.startswith("https://"):
        raise NetworkRefused("payload_invalid", "field link is not acceptable")
    if len(data) > wire.MAX_MATERIAL_BYTES:
        raise NetworkRefused("material_too_large", "the file is larger than the limit", status=413)
    content_type = wire.material_type(filename, data[:8]) if filename else ""
    if filename and content_type is None:
        raise NetworkRefused("material_type", "not a PDF or an office document")
    existing = TrainingMaterial.objects.filter(uuid=material_uuid).first()
    if existing is not None:
        if existing.training_id != training.pk:
            raise NetworkRefused("uuid_conflict", "this material uuid is already used", status=409)
        return existing, False
    if training.status == wire.CANCELLED:
        raise NetworkRefused("training_closed", "the training was cancelled", status=409)
    material = TrainingMaterial.objects.create(
        uuid=material_uuid, training=training, title=title, description=description, filename=filename,
        content_type=content_type, content=data, size=len(data), link=link, confirmed_at=timezone.now())
    audit_record(actor=None, action="hub.training_material", target=material,
                 detail={"training": str(training.uuid), "size": len(data)})
    _publish(training)
    return material, True


def material_file(*, node: Node, training_uuid, material_uuid) -> dict:
    """A material's file for a node whose center took seats in the training (or the organizer's)."""
    material = TrainingMaterial.objects.select_related("training").filter(
        uuid=material_uuid, training__uuid=training_uuid).exclude(filename="").first()
    if material is None:
        raise NetworkRefused("not_found", "no material of this training has this uuid", status=404)
    training = material.training
    if training.node_id != node.pk and not training.registrations.filter(node=node, seats__gt=0).exists():
        raise NetworkRefused("not_found", "no material of this training has this uuid", status=404)
    audit_record(actor=None, action="hub.training_material_fetch", target=material, detail={"node": node.slug})
    return {"filename": material.filename, "content_type": material.content_type,
            "content": base64.b64encode(bytes(material.content)).decode("ascii")}
