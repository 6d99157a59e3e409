"""Hub UI of disaster coordination (みんかな): declarations, the coordinators' board, needs and
commitments, situation reports and the who-does-what-where export."""

from __future__ import annotations

import uuid as uuid_module

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common import csv_safe
from common.forms import add_service_errors
from permissions.models import HubScope
from sync.disaster import Sector

from .. import disaster_matching
from ..forms import DisasterDeclareForm, DisasterUpdateForm
from ..models import DisasterNeedCopy, DisasterOfferCopy, NodeCenter
from ..selectors import disasters as selectors
from ..selectors.access import can
from ..selectors.surveys import surveys
from ..services import disasters as services
from .common import declaration_or_404, forbidden, hub_permission


@hub_permission(HubScope.DISASTERS)
def disaster_list(request):
    return render(request, "hub/disaster_list.html", {
        "declarations": selectors.disasters(), "can_manage": can(request.user, "manage_hub")})


@hub_permission("manage_hub")
def disaster_declare(request):
    form = DisasterDeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = services.disaster_declare(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("「%(declaration)s」を宣言し、すべてのノードへ配信しました。") % {
                "declaration": declaration})
            return redirect("hub-disaster", uuid=declaration.uuid)
    return render(request, "hub/disaster_form.html", {"form": form, "declaration": None},
                  status=400 if form.errors else 200)


@hub_permission(HubScope.DISASTERS)
def disaster_board(request, uuid):
    declaration = declaration_or_404(uuid)
    coordination = selectors.disaster_coordination(declaration)
    suggestions = disaster_matching.disaster_suggestions(declaration)
    top = [(row, suggestions.get(row.need.entity_uuid, [])[:disaster_matching.BOARD_TOP])
           for row in coordination.live_needs]
    return render(request, "hub/disaster_board.html", {
        "declaration": declaration, "board": selectors.disaster_board(declaration),
        "coordination": coordination, "sectors": Sector.choices, "suggestions": top,
        "surveys": surveys(declaration=declaration),
        "can_manage": can(request.user, "manage_hub")})


@hub_permission(HubScope.DISASTERS)
def disaster_need(request, uuid, need_uuid):
    """One need on the hub: its lines, commitments and every suggested offer with its reasons."""
    declaration = declaration_or_404(uuid)
    need = get_object_or_404(DisasterNeedCopy.objects.select_related("center"), declaration=declaration,
                             entity_uuid=need_uuid)
    coordination = selectors.disaster_coordination(declaration)
    row = next(r for r in coordination.needs if r.need.pk == need.pk)
    return render(request, "hub/disaster_need.html", {
        "declaration": declaration, "row": row,
        "commitments": [c for c in coordination.commitments if c.commitment.need_uuid == need.entity_uuid],
        "suggestions": disaster_matching.disaster_suggestions(declaration, need_uuid=need.entity_uuid).get(
            need.entity_uuid, []),
        "ask_centers": selectors.centers_to_ask(declaration, need),
        "can_manage": can(request.user, "manage_hub")})


@hub_permission("manage_hub")
def disaster_edit(request, uuid):
    declaration = declaration_or_404(uuid)
    if declaration.closed_at is not None:
        messages.error(request, gettext("終了した災害宣言は変更できません。"))
        return redirect("hub-disaster", uuid=uuid)
    initial = {"name": declaration.name, "hazard": declaration.hazard, "phase": declaration.phase,
               "whole_prefecture": declaration.whole_prefecture,
               "municipality_codes": " ".join(declaration.municipality_codes)}
    form = DisasterUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.disaster_update(acting_user=request.user, declaration=declaration, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("災害宣言を更新し、ノードへ配信しました。"))
            return redirect("hub-disaster", uuid=uuid)
    return render(request, "hub/disaster_form.html", {"form": form, "declaration": declaration},
                  status=400 if form.errors else 200)


@hub_permission("manage_hub")
@require_POST
def disaster_close(request, uuid):
    declaration = declaration_or_404(uuid)
    try:
        services.disaster_close(acting_user=request.user, declaration=declaration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("「%(declaration)s」を終了しました。ノードは通常の運用に戻ります。") % {
            "declaration": declaration})
    return redirect("hub-disaster", uuid=uuid)


@hub_permission("manage_hub")
@require_POST
def disaster_commit(request, uuid):
    """A coordinator commits an offer (or a center) to a need; the committing node hears of it at once."""
    declaration = declaration_or_404(uuid)
    need = get_object_or_404(DisasterNeedCopy, declaration=declaration, entity_uuid=_uuid_or_404(request.POST.get("need")))
    offer = center = None
    if request.POST.get("offer"):
        offer = get_object_or_404(DisasterOfferCopy, declaration=declaration,
                                  entity_uuid=_uuid_or_404(request.POST["offer"]))
    elif request.POST.get("center"):
        center = get_object_or_404(NodeCenter, center_uuid=_uuid_or_404(request.POST["center"]))
    try:
        quantity = int(request.POST.get("quantity", ""))
    except ValueError:
        quantity = 0
    try:
        services.disaster_commit(acting_user=request.user, need=need, offer=offer, center=center, quantity=quantity,
                                 instructions=request.POST.get("instructions", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("支援を割り当て、担当センターのノードへ送信しました。"))
    if request.POST.get("back") == "need":
        return redirect("hub-disaster-need", uuid=uuid, need_uuid=need.entity_uuid)
    return redirect("hub-disaster", uuid=uuid)


def _uuid_or_404(value):
    try:
        return uuid_module.UUID(str(value))
    except ValueError as error:
        raise Http404 from error


@hub_permission(HubScope.DISASTERS)
def disaster_sitrep(request, uuid):
    """POST issues the next 第N報 (the number is kept on the declaration); GET shows the last one for print."""
    declaration = declaration_or_404(uuid)
    if request.method == "POST":
        if not can(request.user, HubScope.DISASTER_COORDINATION):
            return forbidden(request, HubScope.DISASTER_COORDINATION)
        services.disaster_sitrep_issue(acting_user=request.user, declaration=declaration)
        return redirect("hub-disaster-sitrep", uuid=uuid)
    if declaration.sitrep_number == 0:
        return redirect("hub-disaster", uuid=uuid)
    board = selectors.disaster_board(declaration)
    return render(request, "hub/disaster_sitrep.html", {
        "declaration": declaration, "board": board, "coordination": selectors.disaster_coordination(declaration)})


@hub_permission(HubScope.DISASTERS)
def disaster_export(request, uuid, fmt):
    """Who does what where: CSV, JSON, or CSV with the HXL hashtag row under the header."""
    declaration = declaration_or_404(uuid)
    rows = selectors.disaster_export_rows(declaration)
    stem = f"disaster-{declaration.uuid}"
    if fmt == "json":
        body = {"declaration": {"uuid": str(declaration.uuid), "name": declaration.name,
                                "hazard": declaration.hazard, "exercise": declaration.exercise,
                                "phase": declaration.phase, "started_at": declaration.started_at.isoformat(),
                                "closed_at": declaration.closed_at.isoformat() if declaration.closed_at else None},
                "exported_at": timezone.now().isoformat(), "rows": rows}
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}{"-hxl" if fmt == "hxl" else ""}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv_safe.writer(response)
    writer.writerow([label for _key, label, _tag in selectors.HXL_COLUMNS])
    if fmt == "hxl":
        writer.writerow([tag for _key, _label, tag in selectors.HXL_COLUMNS])
    for row in rows:
        writer.writerow([row[key] for key, _label, _tag in selectors.HXL_COLUMNS])
    return response
