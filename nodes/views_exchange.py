"""Staff UI for moving data in and out: the group CSV import and the CSV / iCalendar exports."""

from __future__ import annotations

import base64
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from permissions.models import Organization

from . import csvio, filters, models as m, selectors
from .forms import ImportUploadForm
from .outgoing import Door


def _download(body: str, filename: str, content_type: str) -> HttpResponse:
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
        context.update(
            result=result, center=center, payload=base64.b64encode(raw).decode(),
            digest=hashlib.sha256(raw).hexdigest(),
        )
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
