"""Forms of the meeting spaces and group boxes: they parse input; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import BoxSize, Room
from .spaces_selectors import WEEKDAYS

_DATE = forms.DateInput(attrs={"type": "date"})
_TIME = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class BookingForm(forms.Form):
    """利用申込書: a room, a day, from and until, what for and how many."""

    room = forms.ModelChoiceField(label=_("スペース"), queryset=Room.objects.none(), empty_label=None,
                                  to_field_name="uuid")
    organization = forms.TypedChoiceField(label=_("利用団体"), coerce=int, required=False)
    day = forms.DateField(label=_("利用日"), widget=_DATE)
    starts = forms.TimeField(label=_("開始時刻"), widget=_TIME)
    ends = forms.TimeField(label=_("終了時刻"), widget=_TIME)
    purpose = forms.CharField(label=_("利用目的"), max_length=200)
    attendees = forms.IntegerField(label=_("利用人数"), min_value=1, max_value=999)

    def __init__(self, *args, rooms, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        if organizations is None:
            del self.fields["organization"]
        else:
            self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]
            self.fields["organization"].required = True
            self.organizations = {o.pk: o for o in organizations}

    def service_values(self) -> dict:
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        values = {
            "room": data["room"], "purpose": data["purpose"], "attendees": data["attendees"],
            "starts_at": dt.datetime.combine(data["day"], data["starts"], tzinfo=tz),
            "ends_at": dt.datetime.combine(data["day"], data["ends"], tzinfo=tz),
        }
        if "organization" in self.fields:
            values["organization"] = self.organizations[data["organization"]]
        return values


class RoomForm(forms.ModelForm):
    closed_weekdays = forms.TypedMultipleChoiceField(
        label=_("休館曜日"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(index, f"{name}曜日") for index, name in enumerate(WEEKDAYS)])

    class Meta:
        model = Room
        fields = ("name", "capacity", "equipment", "opens_at", "closes_at", "closed_weekdays", "closed_on_holidays",
                  "closed_year_end", "booking_horizon_days", "cancel_days_before", "is_active", "note")
        widgets = {"opens_at": _TIME, "closes_at": _TIME, "equipment": forms.Textarea(attrs={"rows": 2}),
                   "note": forms.Textarea(attrs={"rows": 2})}


class NoteForm(forms.Form):
    note = forms.CharField(label=_("コメント"), max_length=300, required=False)


class BoxForm(forms.Form):
    label = forms.CharField(label=_("番号"), max_length=20)
    size = forms.ChoiceField(label=_("大きさ"), choices=BoxSize.choices)
    note = forms.CharField(label=_("備考"), max_length=200, required=False)


class RoundForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=100)
    term_starts_on = forms.DateField(label=_("利用期間の開始（2年間）"), widget=_DATE)
    applications_open_on = forms.DateField(label=_("申込受付開始"), widget=_DATE)
    applications_close_on = forms.DateField(label=_("申込締切"), widget=_DATE)


class BoxApplyForm(forms.Form):
    """A group's application: renew the box it holds, or enter the draw for a size."""

    renew = forms.BooleanField(label=_("今のボックスを更新する"), required=False)
    size = forms.ChoiceField(label=_("希望の大きさ"), choices=[("", "—"), *BoxSize.choices], required=False)


class CounterApplyForm(BoxApplyForm):
    """Staff entering a group's application at the counter."""

    group = forms.TypedChoiceField(label=_("団体"), coerce=int)

    field_order = ("group", "renew", "size")

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g.pk, g.organization.name) for g in groups]
        self.groups = {g.pk: g for g in groups}
