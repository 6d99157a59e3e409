"""協働推進事業 in the staff UI: the calls by 年度, one call's page (timetable, themes, 意見交換会,
applications) and one application's page (公開プレゼン, 審査, 2年目審査). A department reads its own
themes and applications. Each form posts one step to one service; a refusal shows on the same page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common.forms import add_service_errors

from . import forms_programme as forms, models as m, programme_selectors as selectors, services
from .selectors import user_centers
from .services.programme import CALL_FIELDS


@login_required
def programme(request):
    if selectors.is_programme_staff(request.user):
        track = request.GET.get("track")
        track = track if track in m.ProgrammeTrack.values else None
        return render(request, "nodes/programme_list.html", {
            "overview": selectors.programme_overview(user=request.user, track=track), "track": track,
            "tracks": m.ProgrammeTrack.choices, "can_create": user_centers(user=request.user).exists(),
        })
    if selectors.is_programme_reader(request.user):
        return render(request, "nodes/programme_department.html", selectors.department_programme(user=request.user))
    raise PermissionDenied


@login_required
def call_new(request):
    centers = user_centers(user=request.user)
    if not centers.exists():
        raise PermissionDenied
    form = forms.CallForm(request.POST or None, centers=centers)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            call = services.call_create(acting_user=request.user, **values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("募集を登録しました。"))
            return redirect("programme-call", uuid=call.uuid)
    return render(request, "nodes/programme_call_form.html", {"form": form, "call": None},
                  status=400 if form.errors else 200)


def _call(request, uuid) -> m.ProgrammeCall:
    if not selectors.is_programme_staff(request.user):
        raise PermissionDenied
    try:
        return selectors.call_detail(user=request.user, uuid=uuid)
    except ObjectDoesNotExist as error:
        raise Http404 from error


@login_required
def call_edit(request, uuid):
    call = _call(request, uuid)
    initial = {name: getattr(call, name) for name in CALL_FIELDS}
    form = forms.CallForm(request.POST or None, initial=initial, centers=None, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_update(acting_user=request.user, call=call, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("保存しました。"))
            return redirect("programme-call", uuid=call.uuid)
    return render(request, "nodes/programme_call_form.html", {"form": form, "call": call},
                  status=400 if form.errors else 200)


def _call_forms(page, bound: dict) -> dict:
    if not page.can_change:
        return {}
    made = {
        "theme_form": lambda data: forms.ThemeForm(data, page=page),
        "link_form": lambda data: forms.MeetingLinkForm(data, page=page),
        "meeting_form": lambda data: forms.MeetingForm(data, page=page),
        "application_form": lambda data: forms.ApplicationForm(data, page=page),
        "proposal_form": lambda data: forms.FromProposalForm(data, page=page),
    }
    return {name: bound.get(name) or make(None) for name, make in made.items()}


def _render_call(request, call, *, bound: dict | None = None, status: int = 200):
    call = selectors.call_detail(user=request.user, uuid=call.uuid)  # its counts as they stand now
    page = selectors.call_page(user=request.user, call=call)
    return render(request, "nodes/programme_call.html", {"page": page, "call": call, **_call_forms(page, bound or {})},
                  status=status)


@login_required
def call_detail(request, uuid):
    return _render_call(request, _call(request, uuid))


# One posted form per step: (form key on the page, form, the service call, the success message).
def _theme(request, call, page, form):
    services.theme_propose(acting_user=request.user, call=call, **form.cleaned_data)
    return gettext("テーマを登録しました。")


def _link(request, call, page, form):
    services.call_link_meetings(acting_user=request.user, call=call, meetings=list(form.cleaned_data["meetings"]))
    return gettext("意見交換会を結び付けました。")


def _meeting(request, call, page, form):
    data = form.cleaned_data
    services.call_meeting_create(acting_user=request.user, call=call, starts_at=data["starts_at"],
                                 title=data["title"], venue=data["venue"], attendance=data["attendance"],
                                 groups=list(data["groups"]), departments=list(data["departments"]))
    return gettext("意見交換会を記録しました（イベントにも載ります）。")


def _application(request, call, page, form):
    services.application_submit(acting_user=request.user, call=call, **form.cleaned_data)
    return gettext("申込を登録しました。")


def _from_proposal(request, call, page, form):
    services.application_from_proposal(acting_user=request.user, call=call, **form.cleaned_data)
    return gettext("団体からの提案を申込として登録しました。団体は提案のページで状況を確認できます。")


CALL_STEPS = {
    "theme": ("theme_form", forms.ThemeForm, _theme),
    "link-meetings": ("link_form", forms.MeetingLinkForm, _link),
    "meeting": ("meeting_form", forms.MeetingForm, _meeting),
    "application": ("application_form", forms.ApplicationForm, _application),
    "from-proposal": ("proposal_form", forms.FromProposalForm, _from_proposal),
}


@login_required
@require_POST
def call_step(request, uuid, step):
    call = _call(request, uuid)
    if step == "advance":
        try:
            call = services.call_advance(acting_user=request.user, call=call, to=request.POST.get("to", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, gettext("「%(status)s」にしました。") % {"status": call.get_status_display()})
        return redirect("programme-call", uuid=uuid)
    if step not in CALL_STEPS:
        raise Http404
    key, form_class, run = CALL_STEPS[step]
    page = selectors.call_page(user=request.user, call=call)
    if not page.can_change:
        raise PermissionDenied
    form = form_class(request.POST, page=page)
    if form.is_valid():
        try:
            message = run(request, call, page, form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("programme-call", uuid=uuid)
    return _render_call(request, call, bound={key: form}, status=400)


@login_required
@require_POST
def meeting_unlink(request, uuid, event_uuid):
    call = _call(request, uuid)
    meeting = call.exchange_meetings.filter(uuid=event_uuid).first()
    if meeting is None:
        raise Http404
    services.call_unlink_meeting(acting_user=request.user, call=call, meeting=meeting)
    messages.success(request, gettext("意見交換会の結び付きを外しました（イベントの記録は残ります）。"))
    return redirect("programme-call", uuid=uuid)


@login_required
@require_POST
def theme_decide(request, uuid, decision):
    if decision not in ("adopt", "decline"):
        raise Http404
    if not selectors.is_programme_staff(request.user):
        raise PermissionDenied
    theme = m.ProgrammeTheme.objects.filter(
        uuid=uuid, call__in=selectors.calls_for(request.user).values("pk")).select_related("call").first()
    if theme is None:
        raise Http404
    try:
        services.theme_decide(acting_user=request.user, theme=theme, adopt=decision == "adopt")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("テーマに決定しました。") if decision == "adopt" else gettext("テーマを見送りました。"))
    return redirect("programme-call", uuid=theme.call.uuid)


# --- one application ------------------------------------------------------------------------------


def _application_page(request, uuid):
    if not selectors.is_programme_reader(request.user):
        raise PermissionDenied
    try:
        return selectors.application_page(user=request.user, uuid=uuid)
    except ObjectDoesNotExist as error:
        raise Http404 from error


def _application_form_factories(page) -> dict:
    """The forms of the steps open on this application now, each made from posted data or None."""
    application, actions = page.application, page.actions
    made = {
        "present_form": (actions.present, lambda data: forms.PresentForm(data, initial={
            "presented_on": page.call.presentation_on})),
        "adopt_form": (actions.decide, lambda data: forms.AdoptForm(data, application=application,
                                                                    departments=page.departments)),
        "reject_form": (actions.reject, lambda data: forms.RejectForm(data, application=application)),
        "withdraw_form": (actions.withdraw, lambda data: forms.WithdrawForm(data)),
        "review_form": (actions.review, lambda data: forms.ReviewForm(data, application=application,
                                                                      departments=page.departments)),
    }
    return {name: make for name, (allowed, make) in made.items() if allowed}


def _application_forms(page, bound: dict) -> dict:
    return {name: bound.get(name) or make(None) for name, make in _application_form_factories(page).items()}


def _render_application(request, uuid, *, bound: dict | None = None, status: int = 200):
    page = _application_page(request, uuid)
    return render(request, "nodes/programme_application.html",
                  {"page": page, "application": page.application, **_application_forms(page, bound or {})},
                  status=status)


@login_required
def application_detail(request, uuid):
    return _render_application(request, uuid)


def _present(request, application, form):
    services.application_present(acting_user=request.user, application=application, **form.cleaned_data)
    return gettext("公開プレゼンテーションを記録しました。")


def _adopt(request, application, form):
    data = form.cleaned_data
    services.application_adopt(acting_user=request.user, application=application, decided_on=data["decided_on"],
                               note=data["note"], responsible_department=data["responsible_department"],
                               amounts=form.amounts())
    return gettext("採択を記録し、2年間の協働事例を作りました。")


def _reject(request, application, form):
    services.application_reject(acting_user=request.user, application=application, **form.cleaned_data)
    return gettext("不採択を記録しました。")


def _withdraw(request, application, form):
    services.application_withdraw(acting_user=request.user, application=application, **form.cleaned_data)
    return gettext("取り下げを記録しました。")


def _review(request, application, form):
    data = form.cleaned_data
    services.application_review(acting_user=request.user, application=application, reviewed_on=data["reviewed_on"],
                                outcome=data["outcome"], note=data["note"], next_year=form.next_year())
    return gettext("2年目審査の結果を記録し、協働事例に反映しました。")


APPLICATION_STEPS = {
    "present": ("present_form", _present),
    "adopt": ("adopt_form", _adopt),
    "reject": ("reject_form", _reject),
    "withdraw": ("withdraw_form", _withdraw),
    "review": ("review_form", _review),
}


@login_required
@require_POST
def application_step(request, uuid, step):
    if step not in APPLICATION_STEPS:
        raise Http404
    page = _application_page(request, uuid)
    if not page.can_change:
        raise PermissionDenied
    key, run = APPLICATION_STEPS[step]
    factories = _application_form_factories(page)
    if key not in factories:  # the step is not open now (the page was old): say why, change nothing
        messages.error(request, gettext("この申込は「%(status)s」のため、この操作はできません。")
                       % {"status": page.application.get_status_display()})
        return redirect("programme-application", uuid=uuid)
    form = factories[key](request.POST)
    if form.is_valid():
        try:
            message = run(request, page.application, form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("programme-application", uuid=uuid)
    return _render_application(request, uuid, bound={key: form}, status=400)

