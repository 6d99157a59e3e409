"""Staff inboxes of what others ask of the center: talent requests from the public (地域人材への依頼)
and the departments' requests to publish their needs and menu items (公開の申請)."""

from __future__ import annotations

from django.utils.translation import gettext

from permissions.scoping import holds, scoped_queryset

from . import models as m
from .models.city_menu import SUBMITTABLE, WITHDRAWABLE
from .selectors import audit_personal_read, record_list


def talent_requests(*, user) -> dict:
    """Requests to the user's centers' talent bank: the ones waiting first. Listing them shows who
    asked, so the read is audited (one row for the page)."""
    requests = scoped_queryset(user, m.TalentRequest, "view").select_related("talent", "center", "answered_by")
    pending = list(requests.filter(status=m.TalentRequestStatus.PENDING).order_by("created_at", "id"))
    answered = list(requests.exclude(status=m.TalentRequestStatus.PENDING).order_by("-answered_at", "id")[:50])
    audit_personal_read(user=user, records=[*pending, *answered], purpose="talent_request_inbox")
    return {"pending": pending, "answered": answered}


def talent_request_detail(*, user, uuid) -> m.TalentRequest:
    """One request with its requester's data and the talent's (to call them): both reads audited."""
    request = (scoped_queryset(user, m.TalentRequest, "view").select_related("talent", "center", "answered_by")
               .get(uuid=uuid))
    audit_personal_read(user=user, records=[request], purpose="talent_request")
    audit_personal_read(user=user, records=[request.talent], purpose="talent_request")
    return request


def publication_queue(*, user) -> dict[str, list]:
    """Needs and menu items waiting for center staff (掲載申請中), and those sent back to a department."""
    sections = []
    for label, model, slug in ((gettext("協働の種"), m.Need, "needs"),
                               (gettext("市のメニュー"), m.MenuItem, "city-menu-items")):
        records = record_list(user=user, model=model).filter(
            publication__in=(m.Publication.SUBMITTED, m.Publication.SENT_BACK)).order_by("publication", "updated_at")
        sections.append((label, list(records), slug))
    return {"sections": sections}


def publication_actions(*, user, record) -> list[str]:
    """The publication steps this user may take on a need or menu item now (the services check again)."""
    if not scoped_queryset(user, type(record), "change").filter(pk=record.pk).exists():
        return []
    center_staff = holds(user, m.CENTER_CHANGE, record.center_id)
    actions = []
    if record.publication in SUBMITTABLE:
        actions.append("submit")
    if record.publication == m.Publication.SUBMITTED and center_staff:
        actions += ["approve", "send-back"]
    if record.publication in WITHDRAWABLE:
        actions.append("withdraw")
    return actions
