"""The center status form; the service validates and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sync.disaster import MAX_NOTE, CenterStatus


class CenterStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("センターの状況"), choices=CenterStatus.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("補足（ハブへ送られます。個人情報は書かないでください）"), required=False,
                           max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 2}))
