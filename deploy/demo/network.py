"""The demo's centers as a network (deploy/demo/network.yaml), played on the running federation:
each step goes through the hub, so it runs after `kyodo demo up` has started every process. Each
step runs on one node and waits for what it needs to have arrived (the other center's profile on
the hub, a referral in the feed)."""

from __future__ import annotations

import time
from pathlib import Path

from .base import read_yaml

NETWORK_FILE = Path(__file__).with_name("network.yaml")
WAIT_SECONDS = 180


def load_network() -> dict:
    return read_yaml(NETWORK_FILE)


def _wait(find, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = find()
        if found:
            return found
        time.sleep(2)
    raise TimeoutError(f"deploy.demo network: timed out waiting for {what}")


def _staff(key: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=f"{key}-staff")


def _center():
    from permissions.models import Organization

    return Organization.objects.get(kind="center")


def _hub_center(key: str, name: str) -> str:
    """The uuid of a center of another node, once that node's profile has reached the hub."""
    from nodes import network_selectors

    def find():
        targets, _error = network_selectors.referral_targets(user=_staff(key))
        return next((c.uuid for c in targets if c.name == name), None)

    return _wait(find, f"「{name}」 on the hub")


def declare(key: str, role: str, other_name: str) -> None:
    from nodes import services, tasks

    services.relation_declare(acting_user=_staff(key), center=_center(), other_center_uuid=_hub_center(key, other_name),
                              role=role)
    if role == "backed":
        # The backing center shows this center's figures: send them now rather than at beat's next round.
        tasks.publish_aggregates()


def refer(key: str, index: int, to_name: str) -> None:
    from nodes import models as m, services

    referral = load_network()["referrals"][index]
    consultation = m.Consultation.objects.get(topic=referral["consultation"])
    if m.Referral.objects.filter(consultation=consultation, direction=m.ReferralDirection.SENT).exists():
        return
    services.referral_send(acting_user=_staff(key), consultation=consultation, to_center_uuid=_hub_center(key, to_name),
                           kind=referral["kind"], summary=referral["summary"], question=referral["question"])


def answer(key: str, index: int) -> None:
    from nodes import models as m, services

    referral = load_network()["referrals"][index]
    received = _wait(lambda: m.Referral.objects.filter(direction=m.ReferralDirection.RECEIVED,
                                                      question=referral["question"]).first(),
                     "the referral in the feed")
    if received.status == m.ReferralStatus.PENDING:
        services.referral_respond(acting_user=_staff(key), referral=received, **referral["answer"])


# --- Trainings and information-sharing meetings (研修・情報共有会議) ------------------------------------

HELD_DEADLINE_SECONDS = 40  # a held meeting: seats until then …
HELD_START_SECONDS = 60  # … and it begins then, so the organizer may count the attendance


def _training(index: int) -> dict:
    return load_network()["trainings"][index]


def _clock():
    from django.utils import timezone

    from .dates import Clock

    now = timezone.now()
    return Clock(now=now, today=timezone.localdate(now))


def _moment(value, clock):
    from .dates import parse_moment

    return parse_moment(value).resolve(clock) if value is not None else None


def train_open(key: str, index: int) -> None:
    """The backing center opens the training to the centers it backs that the file names."""
    import datetime as dt

    from nodes import models as m, services

    entry = _training(index)
    if m.Training.objects.filter(title=entry["title"], side=m.TrainingSide.ORGANIZER).exists():
        return
    from nodes.services.trainings import backed_centers

    from .seeder import load_center

    center = _center()
    names = {load_center(other).name for other in entry["to"]}
    targets = [str(r.other_center_uuid) for r in backed_centers(center=center) if r.other_center_name in names]
    clock = _clock()
    if entry.get("held"):
        starts = clock.now + dt.timedelta(seconds=HELD_START_SECONDS)
        ends, deadline = starts + dt.timedelta(hours=1, minutes=30), clock.now + dt.timedelta(seconds=HELD_DEADLINE_SECONDS)
    else:
        starts, ends, deadline = (_moment(entry[name], clock) for name in ("starts_at", "ends_at", "deadline"))
    staff = _staff(key)
    training = services.training_open(
        acting_user=staff, center=center, kind=entry["kind"], title=entry["title"], description=entry["description"],
        starts_at=starts, ends_at=ends, place=entry["place"], online=entry["online"],
        capacity_per_center=entry["capacity_per_center"], capacity_total=entry["capacity_total"], deadline=deadline,
        to_centers=targets)
    material = entry.get("material")
    if material:
        from django.core.files.uploadedfile import SimpleUploadedFile

        path = NETWORK_FILE.with_name("materials") / material["file"]
        services.material_attach(acting_user=staff, training=training, title=material["title"],
                                 description=material["description"],
                                 upload=SimpleUploadedFile(path.name, path.read_bytes()), no_personal_data=True)


def _pull_feed() -> None:
    """Pull the hub's feed now rather than at beat's next round (a held meeting's deadline is near)."""
    from sync.client import pull

    pull()


def train_register(key: str, index: int) -> None:
    """The invited center registers the first `register.staff` of its staff."""
    from nodes import models as m, services, training_selectors

    entry = _training(index)

    def find():
        _pull_feed()
        return m.Training.objects.filter(title=entry["title"], side=m.TrainingSide.INVITED).first()

    training = _wait(find, f"the training 「{entry['title']}」 in the feed")
    if training.registrations.filter(seats__gt=0).exists():
        return
    staff = training_selectors.center_staff(center=training.center)[:entry["register"]["staff"]]
    services.training_register(acting_user=_staff(key), training=training, staff_ids=[u.pk for u in staff],
                               note=entry["register"]["note"])


def train_attend(key: str, index: int) -> None:
    """After a held meeting begins, the organizer counts the attendance (on its node)."""
    from django.utils import timezone

    from nodes import models as m, services

    entry = _training(index)
    training = m.Training.objects.get(title=entry["title"], side=m.TrainingSide.ORGANIZER)
    registrations = _wait(lambda: (_pull_feed(), list(training.registrations.filter(seats__gt=0)))[1],
                          "the registrations in the feed")
    _wait(lambda: timezone.now() >= training.starts_at, "the meeting's start")
    if training.status == m.TrainingStatus.OPEN:
        services.attendance_record(acting_user=_staff(key), training=training, counts={
            str(r.uuid): min(entry["held"]["attended"], r.seats) for r in registrations})


def train_attended(key: str, index: int) -> None:
    """The registering center marks which of its registered staff attended (on its node)."""
    from nodes import models as m, services

    entry = _training(index)
    registration = _wait(lambda: (_pull_feed(), m.TrainingRegistration.objects.filter(
        training__title=entry["title"], training__side=m.TrainingSide.INVITED, attended__isnull=False).first())[1],
        "the attendance in the feed")
    chosen = [p.user_id for p in registration.participants.all()][:entry["held"]["staff_attended"]]
    services.participants_attended(acting_user=_staff(key), registration=registration, attended_ids=chosen)
