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
