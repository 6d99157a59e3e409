"""Group boxes: the staff's boxes and rounds (/boxes/), a round with its draw, the public record of a
draw that anyone can verify (/boxes/draws/<uuid>/), and a group's application from わたしの団体."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from permissions.scoping import holds

from . import boxes_selectors as selectors, lifecycle, lottery, models as m, services
from .forms_spaces import BoxApplyForm, BoxForm, CounterApplyForm, RoundForm
from .views_common import get_or_404, show_errors, staff_centers_or_403


@login_required
def boxes(request):
    center = staff_centers_or_403(request.user).first()
    box_form, round_form, status = BoxForm(prefix="box"), RoundForm(prefix="round"), 200
    if request.method == "POST":
        status = 400
        action = request.POST.get("action")
        if action == "box":
            form = box_form = BoxForm(request.POST, prefix="box")
        elif action == "round":
            form = round_form = RoundForm(request.POST, prefix="round")
        else:
            raise Http404
        if form.is_valid():
            try:
                if action == "box":
                    services.box_create(acting_user=request.user, center=center, **form.cleaned_data)
                    messages.success(request, gettext("ボックスを登録しました。"))
                else:
                    made = services.box_round_open(acting_user=request.user, center=center, **form.cleaned_data)
                    messages.success(request, gettext("募集を始め、登録団体にお知らせしました。"))
                    return redirect("box-round", uuid=made.uuid)
                return redirect("boxes")
            except ValidationError as error:
                add_service_errors(form, error)
    return render(request, "nodes/boxes.html", {
        "data": selectors.boxes_overview(user=request.user), "box_form": box_form, "round_form": round_form,
    }, status=status)


def _round_page(request, round_, *, form=None, status=200):
    groups = (m.GroupRegistration.objects.filter(center_id=round_.center_id, status=m.GroupStatus.ACTIVE)
              .select_related("organization").order_by("organization__name"))
    return render(request, "nodes/box_round.html", {
        "round": round_, "applications": selectors.round_applications(round_),
        "form": form or CounterApplyForm(groups=groups), "algorithm": lottery.ALGORITHM,
    }, status=status)


@login_required
def box_round(request, uuid):
    staff_centers_or_403(request.user)
    round_ = get_or_404(request.user, m.BoxRound, "view", uuid)
    if request.method != "POST":
        return _round_page(request, round_)
    groups = list(m.GroupRegistration.objects.filter(center_id=round_.center_id, status=m.GroupStatus.ACTIVE)
                  .select_related("organization"))
    action = request.POST.get("action")
    try:
        if action == "draw":
            services.box_draw(acting_user=request.user, round=round_)
            messages.success(request, gettext("抽選しました。結果を各団体にお知らせしました。"))
        elif action == "apply":
            form = CounterApplyForm(request.POST, groups=groups)
            if not form.is_valid():
                return _round_page(request, round_, form=form, status=400)
            try:
                services.box_apply(acting_user=request.user, round=round_, group=form.groups[form.cleaned_data["group"]],
                                   size=form.cleaned_data["size"], renew=form.cleaned_data["renew"])
            except ValidationError as error:
                add_service_errors(form, error)
                return _round_page(request, round_, form=form, status=400)
            messages.success(request, gettext("申込を受け付けました。"))
        else:
            raise Http404
    except ValidationError as error:
        show_errors(request, error)
    return redirect("box-round", uuid=uuid)


@login_required
@require_POST
def box_release(request, uuid):
    application = get_or_404(request.user, m.BoxApplication, "change", uuid)
    try:
        following = services.box_release(acting_user=request.user, application=application)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("返却を記録しました。") + (
            gettext("補欠の「%(group)s」に繰り上げ、お知らせしました。") % {"group": following.group.organization.name}
            if following else ""))
    return redirect("box-round", uuid=application.round.uuid)


def draw_record(request, uuid):
    """The record of a draw, public: 受付番号, sizes, boxes, seed and result (no group names), and the
    recomputation anyone can ask for (?verify=1)."""
    try:
        round_ = m.BoxRound.objects.select_related("center").get(uuid=uuid, status=m.RoundStatus.DRAWN)
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error
    verification = selectors.verify_draw(round_) if request.GET.get("verify") else None
    result, sizes = round_.result, dict(m.BoxSize.choices)
    rows = [{"position": index + 1, "number": number, "key": result.get("keys", {}).get(str(number), ""),
             "size": sizes.get(next((e["size"] for e in round_.entries if e["number"] == number), ""), ""),
             "box": result.get("allocations", {}).get(str(number), ""),
             "waiting": number in result.get("waiting", [])}
            for index, number in enumerate(result.get("order", []))]
    return render(request, "nodes/box_draw.html", {
        "round": round_, "rows": rows, "verification": verification,
        "digest": lottery.digest(round_.seed, round_.entries, round_.offered_boxes),
        "offered": [f"{b['label']}（{sizes.get(b['size'], b['size'])}）" for b in round_.offered_boxes]})


# --- わたしの団体 -----------------------------------------------------------------------------------


@login_required
@require_POST
def my_group_box_apply(request, uuid):
    try:
        group = lifecycle.my_groups(user=request.user).get(uuid=uuid)
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error
    page = selectors.group_box_page(group)
    if page["open_round"] is None:
        raise Http404
    form = BoxApplyForm(request.POST)
    if form.is_valid():
        try:
            services.box_apply(acting_user=request.user, round=page["open_round"], group=group,
                               size=form.cleaned_data["size"], renew=form.cleaned_data["renew"])
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, gettext("グループボックスに申し込みました。"))
    return redirect(reverse("my-group-detail", args=[uuid]) + "#box")


@login_required
@require_POST
def my_group_box_withdraw(request, uuid, application_uuid):
    try:
        group = lifecycle.my_groups(user=request.user).get(uuid=uuid)
    except (ObjectDoesNotExist, ValidationError) as error:
        raise Http404 from error
    application = m.BoxApplication.objects.filter(group=group, uuid=application_uuid).first()
    if application is None or not holds(request.user, "change_group_profile", group.organization_id):
        raise Http404
    try:
        services.box_withdraw(acting_user=request.user, application=application)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("申込を取り下げました。"))
    return redirect(reverse("my-group-detail", args=[uuid]) + "#box")
