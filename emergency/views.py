"""Emergency mode UI of a node: the dashboard, center status, needs, offers, commitments, disaster contacts and surveys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from nodes.models import GroupRegistration

from . import selectors, services
from .forms import (
    CenterStatusForm,
    CommitmentReportForm,
    ContactShareForm,
    NeedForm,
    OfferForm,
    survey_answer_values,
)
from .models import (
    Commitment,
    DisasterContact,
    DisasterDeclaration,
    DisasterNeed,
    DisasterOffer,
    EmergencySurvey,
)


@login_required
def dashboard(request):
    if not selectors.user_centers(user=request.user).exists():
        raise PermissionDenied
    data = selectors.dashboard(user=request.user)
    return render(request, "emergency/dashboard.html", {**data, "form": CenterStatusForm()})


@login_required
def center_status(request, declaration_uuid, center_uuid):
    declaration = get_object_or_404(DisasterDeclaration, uuid=declaration_uuid)
    center = get_object_or_404(selectors.user_centers(user=request.user, codename="change_center_records"),
                               uuid=center_uuid)
    form = CenterStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.center_status_report(acting_user=request.user, center=center, declaration=declaration,
                                          **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(center)s の状況を報告しました。ハブへすぐに送信します。") % {"center": center.name})
            return redirect("emergency-dashboard")
    return render(request, "emergency/center_status.html", {"form": form, "declaration": declaration,
                                                             "center": center}, status=400 if form.errors else 200)


def _needs_page(request, declaration, center, *, need_form=None, offer_form=None, status=200):
    data = selectors.center_needs_page(user=request.user, declaration=declaration, center=center)
    need_form = need_form or NeedForm(initial={"municipality_code": center.municipality_code})
    offer_form = offer_form or OfferForm(groups=data["groups"], initial={"municipality_code": center.municipality_code})
    return render(request, "emergency/needs.html", {
        **data, "declaration": declaration, "center": center, "need_form": need_form, "offer_form": offer_form,
        "line_rows": [[need_form[f"{name}_{i}"] for name in ("kind", "description", "quantity", "unit")]
                      for i in range(1, 4)], "report_form": CommitmentReportForm(),
        "need_fields": ("sector", "priority", "municipality_code", "place_name", "needed_by")}, status=status)


def _declaration_and_center(request, declaration_uuid, center_uuid):
    declaration = get_object_or_404(DisasterDeclaration, uuid=declaration_uuid)
    center = get_object_or_404(selectors.user_centers(user=request.user), uuid=center_uuid)
    return declaration, center


@login_required
def needs(request, declaration_uuid, center_uuid):
    """A center's needs for a declaration (GET), or a new need (POST)."""
    declaration, center = _declaration_and_center(request, declaration_uuid, center_uuid)
    if request.method != "POST":
        return _needs_page(request, declaration, center)
    form = NeedForm(request.POST)
    if form.is_valid():
        try:
            services.need_create(acting_user=request.user, center=center, declaration=declaration,
                                 **form.service_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("ニーズを登録しました。ハブへすぐに送信します。"))
            return redirect("emergency-needs", declaration_uuid, center_uuid)
    return _needs_page(request, declaration, center, need_form=form, status=400)


@login_required
def offer_create(request, declaration_uuid, center_uuid):
    declaration, center = _declaration_and_center(request, declaration_uuid, center_uuid)
    groups = selectors.center_needs_page(user=request.user, declaration=declaration, center=center)["groups"]
    form = OfferForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_create(acting_user=request.user, center=center, declaration=declaration,
                                  **form.service_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("支援の申し出を登録しました。ハブへすぐに送信します。"))
            return redirect("emergency-needs", declaration_uuid, center_uuid)
    return _needs_page(request, declaration, center, offer_form=form, status=400 if request.method == "POST" else 200)


def _done(request, record, error=None, success=""):
    if error is not None:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("emergency-needs", record.declaration.uuid, record.center.uuid)


@login_required
@require_POST
def need_action(request, uuid):
    """再確認 (confirm) or a forward move of the status (partly_met, met, withdrawn)."""
    need = get_object_or_404(DisasterNeed.objects.select_related("declaration", "center"), uuid=uuid)
    action = request.POST.get("action", "")
    try:
        if action == "confirm":
            services.need_confirm(acting_user=request.user, need=need)
        else:
            services.need_set_status(acting_user=request.user, need=need, status=action)
    except ValidationError as error:
        return _done(request, need, error)
    return _done(request, need, success=_("ニーズを更新しました。"))


@login_required
@require_POST
def offer_withdraw(request, uuid):
    offer = get_object_or_404(DisasterOffer.objects.select_related("declaration", "center"), uuid=uuid)
    services.offer_withdraw(acting_user=request.user, offer=offer)
    return _done(request, offer, success=_("申し出を取り下げました。"))


@login_required
@require_POST
def commitment_report(request, uuid):
    commitment = get_object_or_404(Commitment.objects.select_related("declaration", "center"), uuid=uuid)
    form = CommitmentReportForm(request.POST)
    if not form.is_valid():
        return _done(request, commitment, ValidationError(_("入力を確認してください。")))
    try:
        services.commitment_report(acting_user=request.user, commitment=commitment,
                                   status=form.cleaned_data["status"], delivered=form.cleaned_data["delivered"] or 0,
                                   reached=form.cleaned_data["reached"] or 0)
    except ValidationError as error:
        return _done(request, commitment, error)
    return _done(request, commitment, success=_("割り当ての状況をハブへ報告しました。"))


# --- disaster contacts and surveys (items 5 and 6) --------------------------------------------------------


def _contacts_page(request, declaration, center, *, form=None, status=200):
    data = selectors.center_contacts_page(user=request.user, declaration=declaration, center=center)
    return render(request, "emergency/contacts.html", {**data, "declaration": declaration, "center": center,
                                                       "form": form or ContactShareForm()}, status=status)


@login_required
def contacts(request, declaration_uuid, center_uuid):
    """Groups that consented share a contact for this disaster (POST group=…), shown to coordinators
    with a grant until the declaration closes."""
    declaration, center = _declaration_and_center(request, declaration_uuid, center_uuid)
    if request.method != "POST":
        return _contacts_page(request, declaration, center)
    group = get_object_or_404(GroupRegistration, center=center, uuid=request.POST.get("group") or None)
    form = ContactShareForm(request.POST)
    if form.is_valid():
        try:
            services.disaster_contact_share(acting_user=request.user, group=group, declaration=declaration,
                                            **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(group)s の連絡先をこの災害に限りハブと共有しました。") % {
                "group": group.organization.name})
            return redirect("emergency-contacts", declaration_uuid, center_uuid)
    return _contacts_page(request, declaration, center, form=form, status=400)


@login_required
@require_POST
def contact_withdraw(request, uuid):
    contact = get_object_or_404(DisasterContact.objects.select_related("declaration", "center"), uuid=uuid)
    declaration_uuid, center_uuid = contact.declaration.uuid, contact.center.uuid
    services.disaster_contact_withdraw(acting_user=request.user, contact=contact)
    messages.success(request, _("連絡先の共有をやめました。ハブからも削除されます。"))
    return redirect("emergency-contacts", declaration_uuid, center_uuid)


def _survey_page(request, survey, center, *, errors=None, status=200):
    data = selectors.survey_page(user=request.user, survey=survey, center=center)
    return render(request, "emergency/survey.html", {**data, "survey": survey, "center": center,
                                                     "declaration": survey.declaration, "errors": errors or []},
                  status=status)


@login_required
def survey(request, survey_uuid, center_uuid):
    """The survey for one center: staff record each group's answer (POST group=…, q_<key>=…)."""
    survey = get_object_or_404(EmergencySurvey.objects.select_related("declaration"), uuid=survey_uuid)
    center = get_object_or_404(selectors.user_centers(user=request.user), uuid=center_uuid)
    if request.method != "POST":
        return _survey_page(request, survey, center)
    group = get_object_or_404(GroupRegistration, center=center, uuid=request.POST.get("group") or None)
    try:
        services.survey_answer(acting_user=request.user, survey=survey, group=group,
                               answers=survey_answer_values(survey, request.POST))
    except ValidationError as error:
        return _survey_page(request, survey, center, errors=error.messages, status=400)
    messages.success(request, _("%(group)s の回答を記録しました。ハブへは集計だけが送られます。") % {
        "group": group.organization.name})
    return redirect("emergency-survey", survey_uuid, center_uuid)
