"""The center's statistics page (統計) with CSV and XLSX downloads, and its targets and public flag."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy as _

from common import csv_safe, xlsx
from common.vocabulary import CollaborationForm, ProgrammeTrack

from . import models as m, selectors, services, statistics
from .figures import MAX_FORM_YEARS

YEAR_BOUNDS = {"min_value": 1950, "max_value": 2100}
CONTINUATION_FORMS = [(f, label) for f, label in CollaborationForm.choices
                      if f not in (CollaborationForm.KYODO_SUISHIN_GYOSEI, CollaborationForm.KYODO_SUISHIN_SHIMIN)]


class StatisticsForm(forms.Form):
    year_from = forms.IntegerField(label=_("年度（から）"), required=False, **YEAR_BOUNDS)
    year_to = forms.IntegerField(label=_("年度（まで）"), required=False, **YEAR_BOUNDS)
    track = forms.ChoiceField(label=_("募集の区分"), required=False,
                              choices=[("", _("すべて")), *ProgrammeTrack.choices])
    fiscal_year = forms.IntegerField(label=_("相談の年度"), required=False, **YEAR_BOUNDS)
    continuation_form = forms.ChoiceField(label=_("継続状況の形態"), required=False,
                                          choices=[("", _("すべて")), *CONTINUATION_FORMS])
    continuation_track = forms.ChoiceField(label=_("継続状況の区分"), required=False,
                                           choices=[("", _("すべて")), *ProgrammeTrack.choices])

    def clean(self):
        data = super().clean()
        first, last = data.get("year_from"), data.get("year_to")
        if first and last and first > last:
            raise forms.ValidationError(gettext("年度の範囲が逆です。"), code="years_reversed")
        if first and last and last - first + 1 > MAX_FORM_YEARS:
            raise forms.ValidationError(gettext("一度に表示できるのは%(n)d年度までです。") % {"n": MAX_FORM_YEARS},
                                        code="too_many_years")
        return data


class CenterFiguresForm(forms.ModelForm):
    class Meta:
        model = m.CenterFigures
        fields = ["consultation_target", "coordination_target", "form_counts_public"]


def _center(request):
    """The center whose figures the user may see (the one asked for, or the first)."""
    centers = selectors.user_centers(user=request.user, codename=m.CENTER_VIEW).order_by("name")
    wanted = request.GET.get("center")
    center = centers.filter(uuid=wanted).first() if wanted else centers.first()
    if center is None:
        raise PermissionDenied
    return center, centers


def _tables(request, only: str | None = None):
    center, centers = _center(request)
    form = StatisticsForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return center, centers, form, None
    data = form.cleaned_data if form.is_bound else {}
    tables = statistics.center_statistics(
        center, first=data.get("year_from"), last=data.get("year_to"), track=data.get("track") or None,
        fiscal_year=data.get("fiscal_year"), continuation_form=data.get("continuation_form") or None,
        continuation_track=data.get("continuation_track") or None, only=only)
    return center, centers, form, tables


@login_required
def statistics_page(request):
    center, centers, form, tables = _tables(request)
    can_change = selectors.user_centers(user=request.user).filter(pk=center.pk).exists()
    return render(request, "nodes/statistics.html", {
        "center": center, "centers": centers, "form": form, "tables": tables, "can_change": can_change,
        "query": request.GET.urlencode(),
    }, status=400 if tables is None else 200)


def _bad_request(form) -> HttpResponse:
    return HttpResponse(" ".join(str(e) for errors in form.errors.values() for e in errors), status=400,
                        content_type="text/plain; charset=utf-8")


@login_required
def statistics_download(request, slug, ext):
    if slug not in statistics.TABLES or ext not in ("csv", "xlsx"):
        raise Http404
    center, _centers, form, tables = _tables(request, only=slug)
    if tables is None:
        return _bad_request(form)
    table = tables[0]
    filename = f"kyodo-{slug}-{center.uuid}.{ext}"
    if ext == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # Excel reads UTF-8 only with the BOM
        csv_safe.writer(response).writerows(table.csv_rows())
    else:
        response = HttpResponse(xlsx.workbook(_sheets([table])),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _sheets(tables) -> list[tuple[str, list[list]]]:
    """Each table as a sheet (with its sub-rows and totals), then one sheet of definitions."""
    sheets = []
    for table in tables:
        rows = [[table.corner, *table.columns, gettext("計")]]
        if table.sub_columns:
            rows.append(["", *table.sub_columns, ""])
        for row in [*table.rows, *([table.totals] if table.totals else [])]:
            rows.append([("　" if row.indent else "") + row.label, *row.cells, row.total if row.total is not None else ""])
        sheets.append((table.title, rows))
    sheets.append((gettext("定義"), [[gettext("表"), gettext("定義")], *([t.title, t.definition] for t in tables)]))
    return sheets


@login_required
def statistics_workbook(request):
    center, _centers, form, tables = _tables(request)
    if tables is None:
        return _bad_request(form)
    response = HttpResponse(xlsx.workbook(_sheets(tables)),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="kyodo-statistics-{center.uuid}.xlsx"'
    return response


@login_required
def statistics_settings(request):
    center, _centers = _center(request)
    if not selectors.user_centers(user=request.user).filter(pk=center.pk).exists():
        raise PermissionDenied
    instance = m.CenterFigures.objects.filter(center=center).first() or m.CenterFigures(center=center)
    form = CenterFiguresForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.center_figures_update(acting_user=request.user, center=center, **form.cleaned_data)
        messages.success(request, gettext("目標と公表設定を保存しました。"))
        return redirect("statistics")
    return render(request, "nodes/statistics_settings.html", {"center": center, "form": form},
                  status=400 if form.is_bound else 200)
