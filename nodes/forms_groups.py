"""Forms of the registration lifecycle and the group's own page; the services check again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import models as m

YES_NO = (("yes", _("継続する")), ("no", _("継続しない")))


class RenewalAnswerForm(forms.Form):
    continues = forms.ChoiceField(label=_("来年度以降も活動を継続しますか"), choices=YES_NO, widget=forms.RadioSelect,
                                  error_messages={"required": _("活動を継続するかどうかを選んでください。")})
    changes = forms.CharField(label=_("登録内容の変更（代表者・会員数・活動内容など）"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    difficulties = forms.MultipleChoiceField(label=_("活動上の課題（あてはまるものすべて）"), required=False,
                                             choices=m.RenewalDifficulty.choices, widget=forms.CheckboxSelectMultiple)
    difficulty_other = forms.CharField(label=_("その他の課題の内容"), required=False, max_length=300)

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {"continues": data["continues"] == "yes", "changes": data["changes"],
                "difficulties": data["difficulties"], "difficulty_other": data["difficulty_other"]}


class ReviewNoteForm(forms.Form):
    note = forms.CharField(label=_("修正してほしい点"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("修正してほしい点を書いてください。")})


class DecisionNoteForm(forms.Form):
    note = forms.CharField(label=_("コメント"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProfileChangeForm(forms.Form):
    description = forms.CharField(label=_("活動内容"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    area = forms.CharField(label=_("活動地域"), max_length=200, required=False)


class OfferChangeForm(forms.Form):
    title = forms.CharField(label=_("できること"), max_length=200)
    description = forms.CharField(label=_("内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    area = forms.CharField(label=_("対応できる地域"), max_length=200, required=False)
    capacity = forms.CharField(label=_("対応できる規模・回数"), max_length=200, required=False)
    conditions = forms.CharField(label=_("条件（交通費・材料費など）"), max_length=300, required=False)


class EventProposalForm(forms.Form):
    title = forms.CharField(label=_("イベント名"), max_length=200)
    kind = forms.ChoiceField(label=_("種類"), choices=m.EventKind.choices)
    starts_at = forms.DateTimeField(label=_("開始日時"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    venue = forms.CharField(label=_("会場"), max_length=200, required=False)
    description = forms.CharField(label=_("内容"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
