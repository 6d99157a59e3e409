"""Staff UI of centers working as a network: relations and the backed centers' figures (センター間の
連携), referring a consultation to another center, and the referrals of the user's centers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from permissions.scoping import holds

from . import models as m, network_selectors as selectors, services
from .views_common import get_or_404, show_errors, staff_centers_or_403


@login_required
def network(request):
    centers = staff_centers_or_403(request.user)
    return render(request, "nodes/network.html", {
        "relations": selectors.relations(user=request.user),
        "backed": selectors.backed_centers(user=request.user),
        "targets": selectors.referral_targets(user=request.user)[0],
        "centers": [c for c in centers if holds(request.user, m.CENTER_CHANGE, c.pk)],
        "roles": m.RelationRole.choices,
    })


@login_required
@require_POST
def relation_declare(request):
    centers = {str(c.uuid): c for c in staff_centers_or_403(request.user)}
    center = centers.get(request.POST.get("center", ""))
    if center is None:
        messages.error(request, gettext("センターを選んでください。"))
        return redirect("network")
    try:
        relation = services.relation_declare(acting_user=request.user, center=center,
                                             other_center_uuid=request.POST.get("other_center", ""),
                                             role=request.POST.get("role", ""))
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("支援関係を届け出ました。") if relation.confirmed_at is None else
                         gettext("支援関係が成立しました。"))
    return redirect("network")


@login_required
def referral_list(request):
    staff_centers_or_403(request.user)
    return render(request, "nodes/referrals.html", {
        "data": selectors.referrals(user=request.user), "counts": selectors.referral_counts(user=request.user),
    })


@login_required
def referral_form(request, uuid):
    consultation = get_or_404(request.user, m.Consultation, "change", uuid)
    targets, error = selectors.referral_targets(user=request.user)
    if request.method == "POST":
        try:
            services.referral_send(acting_user=request.user, consultation=consultation,
                                   to_center_uuid=request.POST.get("to_center", ""), kind=request.POST.get("kind", ""),
                                   summary=request.POST.get("summary", ""), question=request.POST.get("question", ""))
        except ValidationError as failure:
            show_errors(request, failure)
        else:
            messages.success(request, gettext("他センターへの相談を送りました。回答は「センター間の相談」に表示されます。"))
            return redirect("record-detail", slug="consultations", uuid=consultation.uuid)
    return render(request, "nodes/referral_form.html", {
        "consultation": consultation, "targets": targets, "hub_error": error, "kinds": m.ReferralKind.choices,
        "posted": request.POST if request.method == "POST" else {},
        "summary": request.POST.get("summary", consultation.topic) if request.method == "POST" else consultation.topic,
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def referral_respond(request, uuid):
    referral = get_or_404(request.user, m.Referral, "change", uuid)
    joint_on = parse_date(request.POST.get("joint_on", "") or "")
    if request.POST.get("joint_on") and joint_on is None:
        messages.error(request, gettext("同席する日を正しく入力してください。"))
        return redirect("referrals")
    try:
        services.referral_respond(acting_user=request.user, referral=referral, status=request.POST.get("status", ""),
                                  message=request.POST.get("message", ""), joint_on=joint_on)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("回答を送りました。"))
    return redirect("referrals")
