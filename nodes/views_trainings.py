"""Staff UI of trainings and information-sharing meetings across centers (研修・情報共有会議): the list
and the 年度 counts, opening one to the backed centers, one training's page — registering the
center's staff, materials, attendance."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from . import models as m, services, training_selectors as selectors
from .services.trainings import backed_centers
from .views_common import get_or_404, show_errors, staff_centers_or_403


def _moment(value: str, label: str):
    """A datetime-local field as an aware time (Asia/Tokyo), None when empty."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:  # well formed, but no such day (2027-13-01)
        parsed = None
    if parsed is None:
        raise ValidationError(gettext("%(label)sを正しく入力してください。") % {"label": label}, code="invalid")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _number(value: str, label: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as error:
        raise ValidationError(gettext("%(label)sは数字で入力してください。") % {"label": label}, code="invalid") from error


@login_required
def training_list(request):
    staff_centers_or_403(request.user)
    return render(request, "nodes/trainings.html", {
        "data": selectors.trainings(user=request.user),
        "organizer_years": selectors.organizer_years(user=request.user),
        "attended_years": selectors.attended_years(user=request.user),
        "may_open": bool(selectors.organizing_centers(user=request.user)),
    })


@login_required
def training_new(request):
    staff_centers_or_403(request.user)
    centers = selectors.organizing_centers(user=request.user)
    backed = {c.pk: backed_centers(center=c) for c in centers}
    posted = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        center = next((c for c in centers if str(c.uuid) == posted.get("center", "")), None)
        try:
            if center is None:
                raise ValidationError(gettext("主催するセンターを選んでください。"), code="invalid")
            training = services.training_open(
                acting_user=request.user, center=center, kind=posted.get("kind", ""), title=posted.get("title", ""),
                description=posted.get("description", ""),
                starts_at=_moment(posted.get("starts_at"), gettext("開始日時")),
                ends_at=_moment(posted.get("ends_at"), gettext("終了日時")), place=posted.get("place", ""),
                online=posted.get("online") == "on",
                capacity_per_center=_number(posted.get("capacity_per_center"), gettext("1センターあたりの定員")),
                capacity_total=_number(posted.get("capacity_total"), gettext("全体の定員")),
                deadline=_moment(posted.get("deadline"), gettext("申込締切")),
                to_centers=[] if posted.get("audience") != "chosen" else posted.getlist("to_centers"))
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, gettext("支援先のセンターに案内しました。"))
            return redirect("training", uuid=training.uuid)
    return render(request, "nodes/training_form.html", {
        "centers": centers, "backed": [(c, backed[c.pk]) for c in centers], "kinds": m.TrainingKind.choices,
        "posted": posted, "chosen": posted.getlist("to_centers") if posted else [],
    }, status=400 if request.method == "POST" else 200)


@login_required
def training_detail(request, uuid):
    staff_centers_or_403(request.user)
    training = get_or_404(request.user, m.Training, "view", uuid)
    return render(request, "nodes/training_detail.html", {
        "page": selectors.training_page(user=request.user, training=training)})


@login_required
@require_POST
def training_register(request, uuid):
    training = get_or_404(request.user, m.Training, "change", uuid)
    staff = [] if request.POST.get("cancel") else request.POST.getlist("staff")
    try:
        registration = services.training_register(acting_user=request.user, training=training, staff_ids=staff,
                                                  note=request.POST.get("note", ""))
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("申込を取り消しました。") if not registration.seats else
                         gettext("%(n)d人で申し込みました。") % {"n": registration.seats})
    return redirect("training", uuid=uuid)


@login_required
@require_POST
def training_cancel(request, uuid):
    training = get_or_404(request.user, m.Training, "change", uuid)
    try:
        services.training_cancel(acting_user=request.user, training=training)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("中止にしました。案内したセンターにも伝わります。"))
    return redirect("training", uuid=uuid)


@login_required
@require_POST
def material_add(request, uuid):
    training = get_or_404(request.user, m.Training, "change", uuid)
    try:
        services.material_attach(acting_user=request.user, training=training, title=request.POST.get("title", ""),
                                 description=request.POST.get("description", ""), upload=request.FILES.get("file"),
                                 link=request.POST.get("link", ""),
                                 no_personal_data=request.POST.get("no_personal_data") == "on")
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("資料を添付しました。"))
    return redirect("training", uuid=uuid)


@login_required
def material_download(request, uuid):
    material = get_or_404(request.user, m.TrainingMaterial, "view", uuid)
    try:
        filename, content_type, data = services.material_download(acting_user=request.user, material=material)
    except ValidationError as error:
        show_errors(request, error)
        return redirect("training", uuid=material.training.uuid)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_POST
def attendance_record(request, uuid):
    training = get_or_404(request.user, m.Training, "change", uuid)
    counts = {}
    try:
        for key, value in request.POST.items():
            if key.startswith("attended-"):
                counts[key.removeprefix("attended-")] = _number(value, gettext("参加人数"))
        services.attendance_record(acting_user=request.user, training=training, counts=counts)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("参加人数を記録しました。"))
    return redirect("training", uuid=uuid)


@login_required
@require_POST
def participants_attended(request, uuid):
    registration = get_or_404(request.user, m.TrainingRegistration, "change", uuid)
    try:
        services.participants_attended(acting_user=request.user, registration=registration,
                                       attended_ids=request.POST.getlist("attended"))
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("参加した職員を記録しました。"))
    return redirect("training", uuid=registration.training.uuid)
