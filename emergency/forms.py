"""Emergency forms (center status, needs, offers, commitment reports); the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sync.disaster import MAX_NOTE, CenterStatus, CommitmentStatus, LineKind, NeedPriority, Sector

LINE_ROWS = 3


class CenterStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("センターの状況"), choices=CenterStatus.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("補足（ハブへ送られます。個人情報は書かないでください）"), required=False,
                           max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2}))


class NeedForm(forms.Form):
    """A need with up to three lines; the service validates what leaves the node."""

    sector = forms.ChoiceField(label=_("分野"), choices=Sector.choices)
    priority = forms.ChoiceField(label=_("優先度"), choices=NeedPriority.choices, initial=NeedPriority.MEDIUM)
    municipality_code = forms.CharField(label=_("市区町村コード"), max_length=6)
    place_name = forms.CharField(label=_("場所（避難所名など。個人名は書かない）"), max_length=200, required=False)
    needed_by = forms.DateTimeField(label=_("必要な期限"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, LINE_ROWS + 1):
            required = i == 1
            self.fields[f"kind_{i}"] = forms.ChoiceField(label=_("種類"), choices=LineKind.choices, required=required)
            self.fields[f"description_{i}"] = forms.CharField(label=_("内容"), max_length=200, required=required)
            self.fields[f"quantity_{i}"] = forms.IntegerField(label=_("数量"), min_value=1, required=required)
            self.fields[f"unit_{i}"] = forms.CharField(label=_("単位"), max_length=20, required=False)

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        lines = []
        for i in range(1, LINE_ROWS + 1):
            kind, description, quantity, unit = (data.pop(f"{name}_{i}") for name in
                                                 ("kind", "description", "quantity", "unit"))
            if description:
                lines.append({"kind": kind or LineKind.ITEM, "description": description, "quantity": quantity or 0,
                              "unit": unit or ""})
        return {**data, "lines": lines}


class OfferForm(forms.Form):
    group = forms.ModelChoiceField(label=_("団体"), queryset=None)
    sector = forms.ChoiceField(label=_("分野"), choices=Sector.choices)
    volunteers = forms.IntegerField(label=_("ボランティアの人数"), min_value=0, initial=0)
    skills = forms.CharField(label=_("技能"), max_length=400, required=False)
    supply_description = forms.CharField(label=_("物資"), max_length=200, required=False)
    supply_quantity = forms.IntegerField(label=_("物資の数量"), min_value=1, required=False)
    supply_unit = forms.CharField(label=_("単位"), max_length=20, required=False)
    vehicles = forms.IntegerField(label=_("車両の台数"), min_value=0, initial=0)
    municipality_code = forms.CharField(label=_("活動できる市区町村コード"), max_length=6)
    area_served = forms.CharField(label=_("活動できる地域"), max_length=200, required=False)
    valid_until = forms.DateTimeField(label=_("有効期限"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        description, quantity, unit = data.pop("supply_description"), data.pop("supply_quantity"), data.pop(
            "supply_unit")
        data["supplies"] = ([{"kind": LineKind.ITEM, "description": description, "quantity": quantity or 0,
                              "unit": unit or ""}] if description else [])
        return data


class CommitmentReportForm(forms.Form):
    status = forms.ChoiceField(label=_("状況"), choices=[(CommitmentStatus.ACKNOWLEDGED, _("受諾")),
                                                        (CommitmentStatus.DELIVERED, _("提供済み"))])
    delivered = forms.IntegerField(label=_("提供した数量"), min_value=0, initial=0, required=False)
    reached = forms.IntegerField(label=_("支援が届いた人数"), min_value=0, initial=0, required=False)


class ContactShareForm(forms.Form):
    """Blank fields take the group's registered contact."""

    contact_name = forms.CharField(label=_("担当者名"), max_length=100, required=False)
    phone = forms.CharField(label=_("電話番号"), max_length=40, required=False)
    email = forms.EmailField(label=_("メールアドレス"), required=False)


def survey_answer_values(survey, data) -> dict:
    """The posted answers as the service takes them: `q_<key>` fields, a list for multiple choice,
    an integer for a number (anything else is passed on for the service to refuse clearly)."""
    answers = {}
    for question in survey.questions:
        name = f"q_{question['key']}"
        if question["kind"] == "multiple":
            answers[question["key"]] = data.getlist(name)
        elif question["kind"] == "number":
            raw = data.get(name, "").strip()
            answers[question["key"]] = int(raw) if raw.lstrip("-").isdigit() else (raw or None)
        else:
            answers[question["key"]] = data.get(name) or None
    return answers
