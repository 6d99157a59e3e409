"""Forms of the 協働推進事業 pages: they parse and offer choices from the call's center; the services in
nodes.services.programme check every step and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.japanese import fiscal_year_of
from permissions.models import Organization

from . import models as m
from .services.programme import REVIEW_OUTCOMES, split_request

YEN = {"min_value": 0, "max_value": 100_000_000_000, "required": False}


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def _organizations(queryset, *, label, required=False, multiple=False):
    field = (forms.ModelMultipleChoiceField if multiple else forms.ModelChoiceField)(
        queryset=queryset, label=label, required=required)
    field.label_from_instance = lambda organization: organization.name
    return field


class CallForm(forms.Form):
    """A call's 年度 and track (fixed once created), its timetable and budget frame."""

    center = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("センター"))
    fiscal_year = forms.IntegerField(label=_("募集年度"), min_value=1950, max_value=2100,
                                     help_text=_("西暦で入力（例: 平成27年度 → 2015）。採択した事業は翌年度から2年間実施します。"))
    track = forms.ChoiceField(label=_("区分"), choices=m.ProgrammeTrack.choices)
    title = forms.CharField(label=_("名称"), max_length=200, required=False,
                            help_text=_("空欄なら「平成27年度 市民提案型協働推進事業」のように付けます。"))
    briefing_on = _date(_("説明会"), required=False)
    opens_on = _date(_("公募開始"), required=False)
    deadline_on = _date(_("提案締切"), required=False)
    presentation_on = _date(_("公開プレゼンテーション"), required=False)
    decision_on = _date(_("実施事業内定"), required=False)
    budget_frame_yen = forms.IntegerField(label=_("採択枠（円・1年度あたり）"), **YEN,
                                          help_text=_("1年目事業・2年目事業それぞれの枠（例: 10,000,000）"))
    project_cap_yen = forms.IntegerField(label=_("1事業あたりの上限額（円・1年度あたり）"), **YEN)
    note = forms.CharField(label=_("備考"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, centers, call: m.ProgrammeCall | None = None, **kwargs):
        if call is None and not kwargs.get("initial"):
            year = fiscal_year_of(timezone.localdate())
            kwargs["initial"] = {"fiscal_year": year, "track": m.ProgrammeTrack.SHIMIN,
                                 "budget_frame_yen": m.SEED_BUDGET_FRAME_YEN, **m.suggested_timetable(year)}
        super().__init__(*args, **kwargs)
        if call is not None:
            for name in ("center", "fiscal_year", "track"):
                del self.fields[name]
        else:
            self.fields["center"].queryset = centers
            self.fields["center"].label_from_instance = lambda center: center.name
            if centers.count() == 1:
                self.fields["center"].initial = centers.first().pk
                self.fields["center"].widget = forms.HiddenInput()


class ThemeForm(forms.Form):
    title = forms.CharField(label=_("テーマ"), max_length=200)
    description = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"] = _organizations(page.departments, label=_("担当課"))
        if page.call.track == m.ProgrammeTrack.SHIMIN:
            self.fields["proposer"] = _organizations(page.groups, label=_("提案した団体"), required=True)


class MeetingLinkForm(forms.Form):
    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        field = forms.ModelMultipleChoiceField(
            queryset=m.Event.objects.filter(pk__in=[meeting.pk for meeting in page.linkable_meetings]),
            label=_("記録済みの意見交換会"), widget=forms.CheckboxSelectMultiple)
        field.label_from_instance = lambda event: f"{timezone.localtime(event.starts_at):%Y-%m-%d} {event.title}"
        self.fields["meetings"] = field


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("日時"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                                format="%Y-%m-%dT%H:%M"))
    venue = forms.CharField(label=_("会場"), max_length=200, required=False)
    title = forms.CharField(label=_("名称"), max_length=200, required=False,
                            help_text=_("空欄なら団体名・課名から付けます。"))
    attendance = forms.IntegerField(label=_("参加者数"), min_value=0, max_value=100_000, required=False)

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"] = _organizations(page.groups, label=_("団体"), multiple=True)
        self.fields["departments"] = _organizations(page.departments, label=_("担当課"), multiple=True)


def _theme_field(page):
    field = forms.ModelChoiceField(queryset=m.ProgrammeTheme.objects.filter(pk__in=[t.pk for t in page.adopted_themes]),
                                   label=_("テーマ"), required=page.call.track == m.ProgrammeTrack.GYOSEI)
    field.label_from_instance = lambda theme: theme.title
    return field


class ApplicationForm(forms.Form):
    """An application that reached the center on paper or at the counter."""

    title = forms.CharField(label=_("事業名"), max_length=200)
    summary = forms.CharField(label=_("事業の概要"), widget=forms.Textarea(attrs={"rows": 3}))
    submitted_on = _date(_("申込日"))
    requested_yen = forms.IntegerField(label=_("事業額の見込み（円・2年間）"), **YEN)

    def __init__(self, *args, page, **kwargs):
        kwargs.setdefault("initial", {"submitted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["applicant"] = _organizations(page.groups, label=_("申込団体"), required=True)
        self.fields["theme"] = _theme_field(page)
        self.fields["responsible_department"] = _organizations(page.departments, label=_("担当課"))
        self.order_fields(["applicant", "title", "summary", "theme", "responsible_department"])


class FromProposalForm(forms.Form):
    """A group's proposal taken to the call as its application."""

    submitted_on = _date(_("申込日"), required=False, help_text=_("空欄なら団体が提案した日"))

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        proposal = forms.ModelChoiceField(queryset=page.proposals, label=_("団体からの提案"))
        proposal.label_from_instance = lambda p: f"{p.group.organization.name}「{p.title}」（{p.need.title}）"
        self.fields["proposal"] = proposal
        self.fields["theme"] = _theme_field(page)
        self.fields["responsible_department"] = _organizations(page.departments, label=_("担当課"))
        self.fields["responsible_department"].help_text = _("空欄なら協働の種を出した課")
        self.order_fields(["proposal", "theme", "responsible_department", "submitted_on"])


class PresentForm(forms.Form):
    presented_on = _date(_("公開プレゼン日"))


class AdoptForm(forms.Form):
    decided_on = _date(_("審査日"))
    note = forms.CharField(label=_("審査の結果・委員会の意見"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    year1_total = forms.IntegerField(label=_("1年目の事業額（円）"), **YEN)
    year1_city_share = forms.IntegerField(label=_("1年目の市負担額（円）"), **YEN,
                                          help_text=_("空欄なら事業額と同じ（協働推進事業の予算で全額）"))
    year2_total = forms.IntegerField(label=_("2年目の事業額（円）"), **YEN)
    year2_city_share = forms.IntegerField(label=_("2年目の市負担額（円）"), **YEN)

    def __init__(self, *args, application: m.ProgrammeApplication, departments, **kwargs):
        lines = split_request(application.requested_yen)
        kwargs.setdefault("initial", {
            "decided_on": application.call.decision_on or timezone.localdate(),
            "responsible_department": application.responsible_department_id,
            **{f"year{n}_total": line.get("total_cost") for n, line in enumerate(lines, start=1)}})
        super().__init__(*args, **kwargs)
        self.fields["responsible_department"] = _organizations(departments, label=_("担当課"), required=True)
        self.order_fields(["decided_on", "responsible_department"])

    def amounts(self) -> list[dict]:
        data = self.cleaned_data
        return [{"total_cost": data.get(f"year{n}_total"), "city_share": data.get(f"year{n}_city_share")}
                for n in (1, 2)]


class RejectForm(forms.Form):
    decided_on = _date(_("審査日"))
    note = forms.CharField(label=_("不採択の理由（委員会の意見）"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, application: m.ProgrammeApplication, **kwargs):
        kwargs.setdefault("initial", {"decided_on": application.call.decision_on or timezone.localdate()})
        super().__init__(*args, **kwargs)


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("取り下げの理由"), required=False, max_length=500)


class ReviewForm(forms.Form):
    """2年目審査 and, unless the project ends, the department's budget for the 年度 after the term."""

    reviewed_on = _date(_("2年目審査日"))
    outcome = forms.ChoiceField(label=_("審査の結果"), choices=[(o.value, o.label) for o in REVIEW_OUTCOMES],
                                widget=forms.RadioSelect)
    note = forms.CharField(label=_("2年目審査の結果"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_total = forms.IntegerField(label=_("翌年度の事業額（円）"), **YEN,
                                    help_text=_("継続・縮小のとき、担当課の予算で続ける額（分かっていれば）"))
    next_city_share = forms.IntegerField(label=_("翌年度の市負担額（円）"), **YEN)

    def __init__(self, *args, application: m.ProgrammeApplication, departments, **kwargs):
        kwargs.setdefault("initial", {"reviewed_on": timezone.localdate(),
                                      "next_department": application.responsible_department_id})
        super().__init__(*args, **kwargs)
        self.fields["next_department"] = _organizations(departments, label=_("翌年度の担当課"))

    def next_year(self) -> dict | None:
        data = self.cleaned_data
        if data.get("next_total") is None and data.get("next_city_share") is None:
            return None
        return {"total_cost": data.get("next_total"), "city_share": data.get("next_city_share"),
                "responsible_department": data.get("next_department")}
