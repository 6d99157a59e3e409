"""Hub admin forms; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Node


class EnrollForm(forms.Form):
    name = forms.CharField(label=_("センター（ノード）の名称"), max_length=200)
    slug = forms.SlugField(label=_("識別名（英数字）"), max_length=60, required=False)
    municipality_code = forms.CharField(label=_("全国地方公共団体コード"), max_length=6, min_length=6)
    municipality_name = forms.CharField(label=_("市区町村"), max_length=60, required=False)
    base_url = forms.URLField(label=_("ノードのURL"), required=False, assume_scheme="https")
    public_key = forms.CharField(label=_("公開鍵（Base64）"), widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("ノードで `kyodo manage sync_keygen` が表示した値"))


class KeyForm(forms.Form):
    public_key = forms.CharField(label=_("追加する公開鍵（Base64）"), widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("件名"), max_length=200)
    body = forms.CharField(label=_("本文"), widget=forms.Textarea(attrs={"rows": 4}))
    node = forms.ModelChoiceField(label=_("宛先"), queryset=Node.objects.all(), required=False,
                                  empty_label=_("すべてのノード"))
