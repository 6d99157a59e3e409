"""The talent bank's requests (地域人材への依頼): submitted from the public talent page, answered by staff."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from permissions.audit import audit_record

from ..models import TalentRequest, TalentRequestStatus, TalentVolunteer
from ..talent_bank import publicly_listed
from .pipeline import locked_for_change, normalize_values

TALENT_REQUEST_FIELDS = ("requester_name", "requester_organization", "requester_phone", "requester_email",
                         "purpose", "preferred_dates", "place")
_REQUIRED = {
    "requester_name": lambda: gettext("お名前を入力してください。"),
    "purpose": lambda: gettext("依頼の内容を入力してください。"),
    "preferred_dates": lambda: gettext("希望日時を入力してください。"),
    "place": lambda: gettext("場所を入力してください。"),
}
# Generous for a request form, short enough that the inbox stays readable and nobody pastes a file.
PURPOSE_MAX_LENGTH = 2000


@transaction.atomic
def talent_request_submit(*, talent: TalentVolunteer, **values) -> TalentRequest:
    """A request from the public page (no login): kept for the center's staff, never sent to the talent.

    Refused, with nothing written, when the talent is no longer listed (consent withdrawn, inactive)
    or the input is incomplete: a name, one way to reach the requester, what for, when and where."""
    unknown = set(values) - set(TALENT_REQUEST_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    listed = publicly_listed().select_for_update().filter(pk=talent.pk).first()
    if listed is None:
        raise ValidationError(gettext("この地域人材は現在ご依頼を受け付けていません。"), code="talent_not_listed")
    values = normalize_values({name: values.get(name) or "" for name in TALENT_REQUEST_FIELDS})
    errors = {name: ValidationError(message(), code="required") for name, message in _REQUIRED.items()
              if not values[name]}
    if not values["requester_phone"] and not values["requester_email"]:
        errors["requester_phone"] = ValidationError(gettext("電話番号かメールアドレスのどちらかを入力してください。"),
                                                    code="contact_required")
    if len(values["purpose"]) > PURPOSE_MAX_LENGTH:
        errors["purpose"] = ValidationError(gettext("依頼の内容は%(limit)d字以内にしてください。") % {
            "limit": PURPOSE_MAX_LENGTH}, code="max_length")
    if errors:
        raise ValidationError(errors)
    request = TalentRequest(center_id=listed.center_id, talent=listed, **values)
    request.full_clean(exclude=["search_text", "center"])
    request.save()
    audit_record(actor=None, action="talentrequest.create", target=request, organization=listed.center,
                 detail={"fields": sorted(name for name, value in values.items() if value), "source": "public_page"})
    return request


@transaction.atomic
def talent_request_answer(*, acting_user, request: TalentRequest, introduced: bool, note: str) -> TalentRequest:
    """Staff record that they introduced the talent (or declined), with a note; once, never back."""
    request = locked_for_change(acting_user, request)  # the center's staff: nobody else has the change scope
    if request.status != TalentRequestStatus.PENDING:
        raise ValidationError(gettext("この依頼はすでに対応済みです。"), code="already_answered")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"answer_note": ValidationError(gettext("対応の記録を入力してください。"),
                                                              code="required")})
    request.status = TalentRequestStatus.INTRODUCED if introduced else TalentRequestStatus.DECLINED
    request.answer_note = note
    request.answered_at = timezone.now()
    request.answered_by = acting_user
    request.version += 1
    request.full_clean(exclude=["search_text"])
    request.save()
    audit_record(actor=acting_user, action=f"talentrequest.{request.status}", target=request,
                 organization=request.center, detail={"fields": ["status", "answer_note"]})
    return request
