"""Emergency surveys (緊急アンケート): a coordinator sends a short survey for an open declaration to
every node and closes it; the nodes answer with counts per center."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from permissions.audit import audit_record
from sync import disaster

from ..models import DisasterDeclaration, EmergencySurvey
from .feed import feed_publish
from .shared import actor, refusal


def survey_payload(survey: EmergencySurvey) -> dict:
    return {"uuid": str(survey.uuid), "declaration": str(survey.declaration.uuid), "title": survey.title,
            "questions": survey.questions, "version": survey.version, "created_at": survey.created_at.isoformat(),
            "closed_at": survey.closed_at.isoformat() if survey.closed_at else None}


@transaction.atomic
def survey_close(*, acting_user, survey: EmergencySurvey) -> EmergencySurvey:
    """Stop taking answers: the nodes receive the survey again, closed, and record no more. Closing
    a closed survey changes nothing."""
    survey = EmergencySurvey.objects.select_for_update().select_related("declaration").get(pk=survey.pk)
    if survey.closed_at is not None:
        return survey
    survey.closed_at, survey.version = timezone.now(), survey.version + 1
    survey.save(update_fields=["closed_at", "version"])
    audit_record(actor=acting_user, action="hub.survey_close", target=survey,
                 detail={"declaration": str(survey.declaration.uuid), "version": survey.version})
    feed_publish(acting_user=acting_user, kind=disaster.SURVEY_KIND, payload=survey_payload(survey))
    return survey


@transaction.atomic
def survey_create(*, acting_user, declaration: DisasterDeclaration, title: str, questions: list) -> EmergencySurvey:
    """A coordinator sends a short survey for an open declaration to every node (each shows it to
    the centers it covers); nodes answer with counts per center."""
    declaration = DisasterDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.closed_at is not None:
        raise refusal(None, gettext("終了した災害宣言にはアンケートを送れません。"), "declaration_closed")
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise refusal("title", gettext("調査名を200字以内で入力してください。"), "required")
    try:
        questions = disaster.parse_questions(questions)
    except ValueError as error:
        raise refusal("questions", gettext("設問の形式が正しくありません（%(detail)s）。") % {"detail": error},
                      "invalid_questions") from error
    survey = EmergencySurvey.objects.create(declaration=declaration, title=title, questions=questions,
                                            created_by=actor(acting_user))
    audit_record(actor=acting_user, action="hub.survey_create", target=survey,
                 detail={"declaration": str(declaration.uuid), "questions": len(questions)})
    feed_publish(acting_user=acting_user, kind=disaster.SURVEY_KIND, payload=survey_payload(survey))
    return survey
