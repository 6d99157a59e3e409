"""Emergency mode UI of a node: the dashboard and the center status report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from config.forms import add_service_errors

from . import selectors, services
from .forms import CenterStatusForm
from .models import DisasterDeclaration


@login_required
def dashboard(request):
    if not selectors.user_centers(user=request.user).exists():
        raise PermissionDenied
    data = selectors.dashboard(user=request.user)
    return render(request, "emergency/dashboard.html", {**data, "form": CenterStatusForm()})


@login_required
def center_status(request, declaration_uuid, center_uuid):
    declaration = get_object_or_404(DisasterDeclaration, uuid=declaration_uuid)
    center = get_object_or_404(selectors.user_centers(user=request.user, codename="change_center_records"),
                               uuid=center_uuid)
    form = CenterStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.center_status_report(acting_user=request.user, center=center, declaration=declaration,
                                          **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{center.name} の状況を報告しました。ハブへすぐに送信します。")
            return redirect("emergency-dashboard")
    return render(request, "emergency/center_status.html", {"form": form, "declaration": declaration,
                                                             "center": center}, status=400 if form.errors else 200)
