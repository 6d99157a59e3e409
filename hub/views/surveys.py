"""Hub UI of emergency surveys: sending one for a declaration, its results (suppressed like the
statistics) on a page and as CSV, and closing it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import csv_safe
from common.forms import add_service_errors
from permissions.models import HubScope

from ..disclosure import SUPPRESSED
from ..forms import SurveyForm
from ..models import EmergencySurvey
from ..selectors import surveys as selectors
from ..services import surveys as services
from .common import declaration_or_404, hub_permission


@hub_permission(HubScope.DISASTER_COORDINATION)
def survey_create(request, uuid):
    declaration = declaration_or_404(uuid)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(acting_user=request.user, declaration=declaration,
                                            title=form.cleaned_data["title"], questions=form.questions())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("アンケートを対象のノードへ配信しました。"))
            return redirect("hub-survey", uuid=survey.uuid)
    return render(request, "hub/survey_form.html", {"declaration": declaration, "form": form},
                  status=400 if form.errors else 200)


def _survey(uuid) -> EmergencySurvey:
    return get_object_or_404(EmergencySurvey.objects.select_related("declaration"), uuid=uuid)


@hub_permission(HubScope.DISASTERS)
def survey_results(request, uuid):
    survey = _survey(uuid)
    return render(request, "hub/survey_results.html", {
        "survey": survey, "declaration": survey.declaration, "results": selectors.survey_results(survey),
        "symbol": SUPPRESSED})


@require_POST
@hub_permission(HubScope.DISASTER_COORDINATION)
def survey_close(request, uuid):
    survey = services.survey_close(acting_user=request.user, survey=_survey(uuid))
    messages.success(request, _("回答の受付を締め切りました。各ノードに伝わると回答を記録できなくなります。"))
    return redirect("hub-survey", uuid=survey.uuid)


@hub_permission(HubScope.DISASTERS)
def survey_csv(request, uuid, slug):
    survey = _survey(uuid)
    rows = selectors.survey_csv_rows(selectors.survey_results(survey), slug)
    if rows is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.uuid}-{slug}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    csv_safe.writer(response).writerows(rows)
    return response
