"""Staff UI of consultation routing: the chief assigns a consultation, staff refer it to an expert, book
it into a themed 相談日, link it to what it led to and pick it for the monthly review (気になる事例)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_time
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common import csv_safe
from permissions.scoping import holds

from . import models as m, routing_selectors as selectors
from .selectors import staff_centers
from .services import consultation_routing as services
from .views_common import get_or_404, show_errors


def _back(consultation):
    return redirect("record-detail", slug="consultations", uuid=consultation.uuid)


def _date(value: str, label: str) -> dt.date:
    parsed = parse_date(value or "")
    if parsed is None:
        raise ValidationError(gettext("%(label)sを正しく入力してください。") % {"label": label}, code="invalid_date")
    return parsed


@login_required
@require_POST
def consultation_assign(request, uuid):
    consultation = get_or_404(request.user, m.Consultation, "change", uuid)
    if not selectors.may_assign(user=request.user, center_id=consultation.center_id):
        raise PermissionDenied("permission_denied")
    assignee = None
    if (request.POST.get("assignee") or "").isdigit():
        assignee = get_user_model().objects.filter(pk=int(request.POST["assignee"])).first()
    try:
        consultation = services.consultation_assign(acting_user=request.user, consultation=consultation,
                                                    assignee=assignee, kind=request.POST.get("kind") or None)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("対応するスタッフを%(name)sさんに決めました。")
                         % {"name": selectors.staff_label(consultation.assignee)})
    return _back(consultation)


@login_required
@require_POST
def consultation_link(request, uuid):
    consultation = get_or_404(request.user, m.Consultation, "change", uuid)
    links = {}
    for field, model in (("need", m.Need), ("match", m.Match), ("case", m.CollaborationCase)):
        if request.POST.get(field):
            links[field] = get_or_404(request.user, model, "view", request.POST[field])
    try:
        services.consultation_link(acting_user=request.user, consultation=consultation, **links)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("つながった記録を登録しました。"))
    return _back(consultation)


@login_required
@require_POST
def expert_refer(request, uuid):
    consultation = get_or_404(request.user, m.Consultation, "change", uuid)
    talent = get_or_404(request.user, m.TalentVolunteer, "view", request.POST["talent"]) if request.POST.get(
        "talent") else None
    try:
        services.expert_refer(
            acting_user=request.user, consultation=consultation, talent=talent,
            professional_name=request.POST.get("professional_name", ""), expertise=request.POST.get("expertise", ""),
            asked_on=_date(request.POST.get("asked_on", ""), gettext("依頼した日")),
            question=request.POST.get("question", ""))
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("専門家への依頼を記録しました。"))
    return _back(consultation)


@login_required
@require_POST
def expert_answer(request, uuid):
    referral = get_or_404(request.user, m.ExpertReferral, "change", uuid)
    try:
        answered_on = _date(request.POST["answered_on"], gettext("回答日")) if request.POST.get("answered_on") else None
        services.expert_answer(acting_user=request.user, referral=referral, answer=request.POST.get("answer", ""),
                               answered_on=answered_on)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("専門家の回答を記録しました。"))
    return _back(referral.consultation)


@login_required
@require_POST
def consultation_book(request, uuid):
    consultation = get_or_404(request.user, m.Consultation, "change", uuid)
    if not request.POST.get("consultation_day"):
        messages.error(request, gettext("相談日を選んでください。"))
        return _back(consultation)
    day = get_or_404(request.user, m.ConsultationDay, "change", request.POST["consultation_day"])
    try:
        services.consultation_day_book(acting_user=request.user, consultation_day=day, consultation=consultation)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("%(day)sに予約しました。") % {"day": day})
    return _back(consultation)


@login_required
@require_POST
def consultation_unbook(request, uuid):
    booking = get_or_404(request.user, m.ConsultationDayBooking, "change", uuid)
    consultation, day = booking.consultation, booking.consultation_day
    try:
        services.consultation_day_cancel(acting_user=request.user, booking=booking)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("%(day)sの予約を取り消しました。") % {"day": day})
    return _back(consultation)


@login_required
@require_POST
def consultation_mark_notable(request, uuid):
    consultation = get_or_404(request.user, m.Consultation, "change", uuid)
    try:
        notable = services.consultation_mark_notable(acting_user=request.user, consultation=consultation,
                                                     reason=request.POST.get("reason", ""))
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("%(month)sの気になる事例に挙げました。") % {"month": f"{notable.month:%Y-%m}"})
    return _back(consultation)


@login_required
def consultation_days(request):
    centers = [c for c in staff_centers(user=request.user) if holds(request.user, m.CENTER_CHANGE, c.pk)]
    if not staff_centers(user=request.user).exists():
        raise PermissionDenied("permission_denied")
    status = 200
    if request.method == "POST":
        center = next((c for c in centers if str(c.uuid) == request.POST.get("center")), centers[0] if centers else None)
        try:
            if center is None:
                raise PermissionDenied("permission_denied")
            starts_at, ends_at = parse_time(request.POST.get("starts_at") or ""), parse_time(request.POST.get("ends_at") or "")
            if starts_at is None or ends_at is None:
                raise ValidationError(gettext("開始・終了の時刻を正しく入力してください。"), code="invalid_time")
            capacity = request.POST.get("capacity", "")
            if not capacity.isdigit():
                raise ValidationError(gettext("受付できる件数を数字で入力してください。"), code="invalid_number")
            services.consultation_day_create(
                acting_user=request.user, center=center, title=request.POST.get("title", ""),
                theme=request.POST.get("theme", ""), day=_date(request.POST.get("day", ""), gettext("日付")),
                starts_at=starts_at, ends_at=ends_at, capacity=int(capacity), place=request.POST.get("place", ""))
        except ValidationError as error:
            show_errors(request, error)
            status = 400
        else:
            messages.success(request, gettext("相談日を登録しました。"))
            return redirect("consultation-days")
    return render(request, "nodes/consultation_days.html", {
        "days": selectors.consultation_days(user=request.user), "centers": centers, "themes": m.ConsultationKind.choices,
        "posted": request.POST if request.method == "POST" else {},
    }, status=status)


def _month(request) -> dt.date:
    value = request.GET.get("month", "")
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def monthly_review(request):
    if not staff_centers(user=request.user).exists():
        raise PermissionDenied("permission_denied")
    review = selectors.review_month(user=request.user, month=_month(request))
    return render(request, "nodes/consultation_review.html", {
        "review": review,
        "rows": [(item, selectors.may_assign(user=request.user, center_id=item.center_id)) for item in review.items],
        "previous": (review.month - dt.timedelta(days=1)).replace(day=1),
        "next": (review.month + dt.timedelta(days=32)).replace(day=1),
    })


@login_required
def monthly_review_csv(request):
    if not staff_centers(user=request.user).exists():
        raise PermissionDenied("permission_denied")
    review = selectors.review_month(user=request.user, month=_month(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="consultation-review-{review.month:%Y-%m}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM
    writer = csv_safe.writer(response)  # a planted 「=HYPERLINK(…)」 stays text
    writer.writerow([gettext("検討する月"), gettext("相談テーマ"), gettext("相談の種類"), gettext("対応するスタッフ"),
                     gettext("気になった点"), gettext("検討の結果・今後の対応"), gettext("検討日時")])
    for item in review.items:
        card = item.consultation
        writer.writerow([f"{item.month:%Y-%m}", card.topic, card.get_kind_display(), selectors.staff_label(card.assignee),
                         item.reason, item.decision,
                         timezone.localtime(item.decided_at).strftime("%Y-%m-%d %H:%M") if item.decided_at else ""])
    return response


@login_required
@require_POST
def review_decide(request, uuid):
    notable = get_or_404(request.user, m.NotableConsultation, "change", uuid)
    try:
        services.review_decide(acting_user=request.user, notable=notable, decision=request.POST.get("decision", ""))
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("検討の結果を記録しました。"))
    return redirect(f"{reverse('consultation-review')}?month={notable.month:%Y-%m}")
