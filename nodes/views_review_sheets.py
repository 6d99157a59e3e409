"""Staff UI of the mutual review sheet with the ward office (相互検証シート): the years, a sheet with both
sides' ratings and comments, the agreed actions (carried from last year), its history and its PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common import pdf
from permissions.scoping import holds

from . import models as m, review_sheets as selectors
from .services import review_sheets as services
from .views_common import get_or_404, int_or_none, show_errors, staff_centers_or_403

STEPS = ("save", "add-action", "add-item")


@login_required
def sheet_list(request):
    centers = [c for c in staff_centers_or_403(request.user) if holds(request.user, m.CENTER_CHANGE, c.pk)]
    return render(request, "nodes/review_sheets.html", {
        "sheets": selectors.review_sheets(user=request.user), "centers": centers,
        "next_year": selectors.next_fiscal_year(user=request.user)})


@login_required
@require_POST
def sheet_new(request):
    centers = {str(c.uuid): c for c in staff_centers_or_403(request.user)}
    center = centers.get(request.POST.get("center", "")) or (next(iter(centers.values())) if len(centers) == 1 else None)
    if center is None:
        messages.error(request, gettext("センターを選んでください。"))
        return redirect("review-sheets")
    try:
        sheet = services.review_sheet_create(acting_user=request.user, center=center,
                                             fiscal_year=int_or_none(request.POST.get("fiscal_year")),
                                             partner_name=request.POST.get("partner_name", ""))
    except ValidationError as error:
        show_errors(request, error)
        return redirect("review-sheets")
    messages.success(request, gettext("%(sheet)s を作りました。") % {"sheet": sheet})
    return redirect("review-sheet", uuid=sheet.uuid)


def _sheet_page(request, sheet, status: int = 200):
    return render(request, "nodes/review_sheet.html", {
        "sheet": sheet, "items": sheet.items.all(),
        "actions": sheet.actions.select_related("item", "carried_from__sheet"),
        "history": selectors.sheet_history(sheet=sheet), "ratings": m.Rating.choices,
        "owners": m.ActionOwner.choices, "statuses": m.ActionStatus.choices,
        "can_edit": holds(request.user, m.CENTER_CHANGE, sheet.center_id),
        "years": selectors.review_sheets(user=request.user).filter(center=sheet.center_id),
    }, status=status)


@login_required
def sheet_detail(request, uuid):
    staff_centers_or_403(request.user)
    return _sheet_page(request, get_or_404(request.user, m.ReviewSheet, "view", uuid))


@login_required
@require_POST
def sheet_step(request, uuid, step):
    staff_centers_or_403(request.user)
    if step not in STEPS:
        raise Http404
    sheet = get_or_404(request.user, m.ReviewSheet, "change", uuid)
    post = request.POST
    try:
        if step == "save":
            reviewed_on = post.get("reviewed_on", "").strip()
            day = parse_date(reviewed_on) if reviewed_on else None
            if reviewed_on and day is None:
                raise ValidationError({"reviewed_on": ValidationError(
                    gettext("ふりかえりの日は YYYY-MM-DD の形で入力してください。"), code="bad_date")})
            services.review_sheet_update(
                acting_user=request.user, sheet=sheet,
                values={"partner_name": post.get("partner_name", ""), "reviewed_on": day, "summary": post.get("summary", "")},
                items=[{"id": item.pk, **{name: post.get(f"item-{item.pk}-{name}", "") for name in services.ITEM_FIELDS}}
                       for item in sheet.items.all()],
                actions=[{"id": action.pk, **{name: post.get(f"action-{action.pk}-{name}", "")
                                              for name in services.ACTION_FIELDS}} for action in sheet.actions.all()])
            done = gettext("シートを保存しました。")
        elif step == "add-action":
            item = sheet.items.filter(pk=int_or_none(post.get("item"))).first() if post.get("item") else None
            services.review_action_add(acting_user=request.user, sheet=sheet, text=post.get("text", ""),
                                       owner=post.get("owner", m.ActionOwner.BOTH), due=post.get("due", ""), item=item)
            done = gettext("取り組みを追加しました。")
        else:
            services.review_item_add(acting_user=request.user, sheet=sheet, heading=post.get("heading", ""))
            done = gettext("項目を追加しました。")
    except ValidationError as error:
        show_errors(request, error)
        sheet.refresh_from_db()
        return _sheet_page(request, sheet, status=400)
    messages.success(request, done)
    return redirect("review-sheet", uuid=sheet.uuid)


@login_required
def sheet_pdf(request, uuid):
    staff_centers_or_403(request.user)
    sheet = get_or_404(request.user, m.ReviewSheet, "view", uuid)
    response = HttpResponse(pdf.render(selectors.sheet_document(sheet=sheet)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="review-sheet-{sheet.fiscal_year}.pdf"'
    return response
