"""A case's 年度 lines: each year's 事業額, 市負担額, whose budget paid and the department responsible."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from permissions.models import Organization, OrganizationKind
from permissions.scoping import get_scoped_or_deny

from . import models as m, services

YEAR_FIELDS = ("fiscal_year", "total_cost", "city_share", "budget_source", "responsible_department", "note")


class CaseYearForm(forms.ModelForm):
    class Meta:
        model = m.CaseYear
        fields = YEAR_FIELDS


def _formset(case, data=None):
    formset_class = forms.modelformset_factory(m.CaseYear, form=CaseYearForm, extra=2, can_delete=True)
    formset = formset_class(data, queryset=case.years.all(), prefix="years")
    departments = Organization.objects.filter(center=case.center_id, kind=OrganizationKind.CITY_DEPARTMENT)
    for form in formset.forms:
        form.fields["responsible_department"].queryset = departments
    return formset


@login_required
def case_years(request, uuid):
    try:
        case = get_scoped_or_deny(request.user, m.CollaborationCase, "change", uuid=uuid)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    formset = _formset(case, request.POST if request.method == "POST" else None)
    if request.method == "POST" and formset.is_valid():
        years = [{name: form.cleaned_data.get(name) for name in YEAR_FIELDS}
                 for form in formset.forms
                 if form.has_changed() or form.instance.pk
                 if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        try:
            services.case_update(acting_user=request.user, case=case, years=years)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, gettext("年度ごとの予算と担当を保存しました。"))
            return redirect("record-detail", slug="cases", uuid=case.uuid)
    return render(request, "nodes/case_years.html", {"case": case, "formset": formset},
                  status=400 if request.method == "POST" else 200)
