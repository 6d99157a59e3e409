"""Staff forms of an intermediate support network's members: they parse; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import models as m

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberGroupForm(forms.Form):
    """A group registered at this center joins."""

    group = forms.ModelChoiceField(label=_("登録団体"), queryset=m.GroupRegistration.objects.none(),
                                   empty_label=_("選んでください"))
    joined_on = forms.DateField(label=_("加入日"), required=False, widget=_DATE, help_text=_("空欄なら今日"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = candidates
        self.fields["group"].label_from_instance = lambda group: group.organization.name


class MemberOrganizationForm(forms.Form):
    """An organization not registered here joins: its name and kind, never a person's."""

    name = forms.CharField(label=_("団体名"), max_length=200)
    kind = forms.ChoiceField(label=_("種別"), choices=[("", "—"), *m.MemberKind.choices])
    municipality = forms.CharField(label=_("所在市町村"), max_length=60, required=False)
    joined_on = forms.DateField(label=_("加入日"), required=False, widget=_DATE, help_text=_("空欄なら今日"))


class IndividualsForm(forms.Form):
    individuals = forms.IntegerField(label=_("個人会員の数"), min_value=0, max_value=100_000,
                                     help_text=_("人数だけを記録します（氏名は記録しません）。"))


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("退会日"), required=False, widget=_DATE)
