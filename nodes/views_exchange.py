"""Staff UI for moving data in and out: the group CSV import, the historical import of cases and of
yearly counts by form, and the CSV / iCalendar exports."""

from __future__ import annotations

import base64
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from permissions.models import Organization

from . import (
    case_import,
    csvio,
    figures,
    filters,
    history_import,
    models as m,
    selectors,
    services,
    tabular,
)
from .forms import FormCountsUploadForm, ImportUploadForm, TableUploadForm
from .outgoing import Door
from .tabular import ImportRejected

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: str | bytes, filename: str, content_type: str) -> HttpResponse:
    if isinstance(body, bytes):
        response = HttpResponse(body, content_type=content_type)
    else:
        # A BOM lets Excel on Japanese Windows open UTF-8 CSV without garbling it.
        payload = ("\ufeff" + body) if content_type.startswith("text/csv") else body
        response = HttpResponse(payload.encode("utf-8"), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def group_import(request):
    """Upload → preview with row-level errors → confirm. Nothing is written until confirmed."""
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        center = form.cleaned_data["center"]
        try:
            result = csvio.import_groups(acting_user=request.user, center=center, raw=raw, commit=False)
        except csvio.ImportRejected as rejected:
            context.update(result=rejected.result, rejected=True)
            return render(request, "nodes/group_import.html", context, status=400)
        context.update(result=result, center=center, **_payload(raw))
    return render(request, "nodes/group_import.html", context)


@login_required
@require_POST
def group_import_confirm(request):
    try:
        raw = base64.b64decode(request.POST.get("payload", ""), validate=True)
        center = selectors.user_centers(user=request.user).get(uuid=request.POST.get("center"))
    except (ValueError, ObjectDoesNotExist):
        messages.error(request, gettext("取り込みの内容を確認できませんでした。もう一度ファイルを選んでください。"))
        return redirect("group-import")
    try:
        result = csvio.import_groups(acting_user=request.user, center=center, raw=raw, commit=True)
    except csvio.ImportRejected as rejected:
        form = ImportUploadForm(user=request.user)
        return render(request, "nodes/group_import.html",
                      {"form": form, "result": rejected.result, "rejected": True}, status=400)
    messages.success(request, gettext("%(count)s件の団体を登録しました。") % {"count": result.created})
    return redirect("record-list", slug="groups")


def _payload(raw: bytes) -> dict:
    return {"payload": base64.b64encode(raw).decode(), "digest": hashlib.sha256(raw).hexdigest()}


def _staff_centers(user):
    """Centers the user may import into; someone who is staff nowhere gets a 403, not an empty form."""
    centers = selectors.user_centers(user=user)
    if not centers.exists():
        raise PermissionDenied("permission_denied")
    return centers


@login_required
def cases_import(request):
    """Upload a CSV or XLSX of past cases → preview with row errors → confirm. Nothing is written until confirmed."""
    _staff_centers(request.user)
    form = TableUploadForm(request.POST or None, request.FILES or None, user=request.user)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        center = form.cleaned_data["center"]
        try:
            result = case_import.import_cases(acting_user=request.user, center=center, raw=raw, commit=False)
        except ImportRejected as rejected:
            context.update(result=rejected.result, rejected=True)
            return render(request, "nodes/case_import.html", context, status=400)
        context.update(result=result, center=center, **_payload(raw))
    return render(request, "nodes/case_import.html", context)


@login_required
@require_POST
def cases_import_confirm(request):
    try:
        raw = base64.b64decode(request.POST.get("payload", ""), validate=True)
        center = _staff_centers(request.user).get(uuid=request.POST.get("center"))
    except (ValueError, ValidationError, ObjectDoesNotExist):
        messages.error(request, gettext("取り込みの内容を確認できませんでした。もう一度ファイルを選んでください。"))
        return redirect("case-import")
    try:
        result = case_import.import_cases(acting_user=request.user, center=center, raw=raw, commit=True)
    except ImportRejected as rejected:
        return render(request, "nodes/case_import.html", {
            "form": TableUploadForm(user=request.user), "result": rejected.result, "rejected": True}, status=400)
    messages.success(request, gettext("%(cases)s件の協働事例（年度ごとの行 %(years)s件）を登録しました。") % {
        "cases": result.created, "years": result.year_lines})
    return redirect("record-list", slug="cases")


@login_required
def cases_import_template(request, extension: str):
    rows = case_import.template_rows()
    if extension == "xlsx":
        return _download(tabular.rows_xlsx(rows, title=gettext("協働事例")), "case-import-template.xlsx", XLSX_TYPE)
    return _download(tabular.rows_csv(rows), "case-import-template.csv", "text/csv")


@login_required
def form_counts(request):
    """The yearly counts by form the center loaded (form × 年度), and the upload that loads more."""
    centers = _staff_centers(request.user)
    try:
        center = centers.get(uuid=request.GET["center"]) if request.GET.get("center") else centers.first()
    except (ValidationError, ObjectDoesNotExist) as error:
        raise Http404 from error
    form = FormCountsUploadForm(request.POST or None, request.FILES or None, user=request.user,
                                initial={"center": center})
    context = {"form": form, "center": center, "centers": centers}
    status = 200
    if request.method == "POST" and form.is_valid():
        center = form.cleaned_data["center"]
        try:
            result = history_import.load_form_counts(acting_user=request.user, center=center,
                                                     raw=form.cleaned_data["file"].read(),
                                                     source=form.cleaned_data["source"])
        except ImportRejected as rejected:
            context["result"], status = rejected.result, 400
        else:
            messages.success(request, gettext(
                "%(cells)s件の件数（%(first)s〜%(last)s年度、合計%(total)s件）を読み込みました。置き換えた件数: %(replaced)s件") % {
                "cells": result.created, "first": result.years[0], "last": result.years[-1], "total": result.total,
                "replaced": result.replaced})
            return redirect(f"{reverse('form-counts')}?center={center.uuid}")
    context.update(center=center, history=figures.loaded_history(center))
    return render(request, "nodes/form_counts.html", context, status=status)


@login_required
@require_POST
def form_counts_delete(request, year: int):
    try:
        center = _staff_centers(request.user).get(uuid=request.POST.get("center"))
    except (ValidationError, ObjectDoesNotExist) as error:
        raise Http404 from error
    deleted = services.historical_counts_delete_year(acting_user=request.user, center=center, fiscal_year=year)
    if deleted:
        messages.success(request, gettext("%(year)s年度の件数（%(cells)s件）を削除しました。") % {"year": year, "cells": deleted})
    else:
        messages.error(request, gettext("%(year)s年度の件数は読み込まれていません。") % {"year": year})
    return redirect(f"{reverse('form-counts')}?center={center.uuid}")


@login_required
def form_counts_template(request):
    return _download(tabular.rows_csv(history_import.template_rows()), "form-counts-template.csv", "text/csv")


def _filtered(request, model, filterset_class):
    queryset = selectors.record_list(user=request.user, model=model)
    filterset = filterset_class(request.GET or None, queryset=queryset)
    return filterset.qs if filterset.is_bound and filterset.is_valid() else queryset


@login_required
def groups_export(request):
    with_contacts = request.GET.get("contacts") == "1"
    body = csvio.groups_csv(user=request.user, queryset=_filtered(request, m.GroupRegistration, filters.GroupFilter),
                            with_contacts=with_contacts)
    return _download(body, "groups-contacts.csv" if with_contacts else "groups.csv", "text/csv")


@login_required
def events_export(request):
    return _download(csvio.events_csv(queryset=_filtered(request, m.Event, filters.EventFilter)), "events.csv", "text/csv")


@login_required
def events_open_data(request):
    queryset = _filtered(request, m.Event, filters.EventFilter).filter(is_public=True).exclude(
        status=m.EventStatus.CANCELLED).order_by("starts_at")
    return _download(csvio.events_open_data_csv(queryset=queryset, door=Door(organizations=False)),
                     "event-list-opendata.csv", "text/csv")


@login_required
def events_ical(request):
    queryset = _filtered(request, m.Event, filters.EventFilter).order_by("starts_at")
    return _download(csvio.events_ical(queryset=queryset, calendar_name="Kyodo イベント"), "events.ics", "text/calendar")


def public_events_ical(request, center_uuid):
    """The public calendar a center can publish: public events only, no login needed."""
    try:
        center = Organization.objects.get(uuid=center_uuid, kind="center")
    except (ObjectDoesNotExist, ValueError) as error:
        raise Http404 from error
    queryset = m.Event.objects.filter(center=center, is_public=True).order_by("starts_at")
    body = csvio.events_ical(queryset=queryset, calendar_name=f"{center.name} イベント", door=Door(organizations=False))
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
