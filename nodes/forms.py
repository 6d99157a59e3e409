"""Staff UI forms. They parse and offer choices within the user's scope; the services validate and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS
from django.utils.translation import gettext, gettext_lazy as _

from common.forms import TourStopForm  # noqa: F401 (the tour page's form)
from permissions.models import Organization, OrganizationKind
from permissions.scoping import scoped_queryset

from . import models as m
from .api.serializers import GROUP_KINDS, PARTNER_KINDS
from .selectors import user_centers
from .support_networks import postable_members


class ServiceForm(forms.ModelForm):
    """A ModelForm that leaves model validation to the service (it runs once, with final values)."""

    center = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("センター"), required=False)
    m2m_widgets = ("activity_fields",)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        centers = user_centers(user=user)
        self.fields["center"].queryset = centers
        if self.instance.pk or centers.count() <= 1:
            del self.fields["center"]
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField) and name != "center":
                related = field.queryset.model
                if related is m.ActivityField:
                    field.to_field_name = "code"  # the 号 of the NPO Act, stable across databases
                    field.widget = forms.CheckboxSelectMultiple(attrs={"class": "checks"})
                    field.widget.choices = field.choices
                elif hasattr(related, "scope_rules"):
                    field.queryset = scoped_queryset(user, related, "view")
            if isinstance(field.widget, forms.DateInput):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            if isinstance(field.widget, forms.DateTimeInput):
                field.widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 4)

    def _post_clean(self):
        pass

    def derived_center(self, values: dict) -> Organization | None:
        """The center implied by another choice (a need's requester, a case's department)."""
        return None

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        if self.instance.pk:
            values.pop("center", None)
            return values
        if values.get("center") is None:
            centers = list(user_centers(user=self.user)[:2])
            center = self.derived_center(values) or (centers[0] if len(centers) == 1 else None)
            if center is None:
                raise ValidationError({"center": ValidationError(gettext("センターを選んでください。"), code="required")})
            values["center"] = center
        return values


class GroupForm(ServiceForm):
    name = forms.CharField(label=_("団体名"), max_length=200)
    name_kana = forms.CharField(label=_("フリガナ"), max_length=200, required=False,
                                help_text=_("カタカナ（ひらがな・半角でも入力できます）"))
    kind = forms.ChoiceField(label=_("団体の種別"), choices=GROUP_KINDS, initial=OrganizationKind.CITIZEN_GROUP)
    consents = forms.MultipleChoiceField(
        label=_("同意"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("hub_listing", _("ハブ（県域）の団体一覧に掲載してよい")),
                 ("named_cases", _("共有する協働事例に団体名を出してよい")),
                 ("disaster_contact", _("災害時に連絡先を共有してよい")),
                 ("national_listing", _("全国ハブの団体一覧にも掲載してよい（ハブ掲載の同意が必要）"))],
    )

    class Meta:
        model = m.GroupRegistration
        fields = ["name", "name_kana", "kind", "legal_form", "activity_fields", "description", "area", "member_count",
                  "representative_name", "representative_kana", "contact_name", "contact_phone", "contact_email",
                  "contact_postal_code", "contact_address", "corporate_number", "registered_on", "renewal_due", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered_on"].required = False
        self.fields["renewal_due"].required = False
        self.fields["renewal_due"].help_text = _("空欄なら登録日から3年度後の3月31日")
        if self.instance.pk:
            organization = self.instance.organization
            self.initial.update(name=organization.name, name_kana=organization.name_kana, kind=organization.kind)
            # Consents are given and withdrawn on the group page, each with its own timestamp.
            del self.fields["consents"]
            if organization.kind == OrganizationKind.INTERMEDIATE_SUPPORT:
                del self.fields["member_count"]  # a network's count comes from its members (ネットワークの会員)
        if "member_count" in self.fields:
            self.fields["member_count"].help_text = _("中間支援組織（ネットワーク）は空欄に（会員名簿から自動で数えます）")

    def service_values(self) -> dict:
        values = super().service_values()
        if values.get("renewal_due") is None:
            values.pop("renewal_due", None)
        if values.get("registered_on") is None:
            values.pop("registered_on", None)
        return values


TALENT_CONSENT_CHOICES = [("public_listing", _("公開の人材検索（ウェブ）に掲載してよい")),
                          ("guidebook", _("名人・達人ガイドブック（印刷物）に掲載してよい"))]


class TalentForm(ServiceForm):
    consents = forms.MultipleChoiceField(
        label=_("同意"), required=False, widget=forms.CheckboxSelectMultiple, choices=TALENT_CONSENT_CHOICES,
        help_text=_("氏名・フリガナ・電話番号・メールアドレスはどちらにも掲載しません。"),
    )

    class Meta:
        model = m.TalentVolunteer
        fields = ["name", "name_kana", "title", "skills", "activity_fields", "area", "availability", "conditions",
                  "phone", "email", "registered_on", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered_on"].required = False
        if self.instance.pk:
            # Consents are given and withdrawn on the talent's page, each with its own timestamp.
            del self.fields["consents"]

    def service_values(self) -> dict:
        values = super().service_values()
        if values.get("registered_on") is None:
            values.pop("registered_on")
        return values


class EventForm(ServiceForm):
    class Meta:
        model = m.Event
        fields = ["title", "kind", "theme", "activity_fields", "description", "starts_at", "ends_at", "venue",
                  "organizers", "participants", "capacity", "attendance", "status", "cancellation_reason",
                  "is_public", "outcome_note", "produced_cases", "produced_groups"]
        widgets = {"organizers": forms.SelectMultiple(attrs={"size": 6}),
                   "participants": forms.SelectMultiple(attrs={"size": 6})}


class ConsultationForm(ServiceForm):
    class Meta:
        model = m.Consultation
        fields = ["topic", "channel", "kind", "requester_name", "requester_contact", "requester_organization",
                  "intake_note", "coordinate_note", "closing_note", "linked_organizations", "linked_cases"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            del self.fields["coordinate_note"]
            del self.fields["closing_note"]


class CaseForm(ServiceForm):
    class Meta:
        model = m.CollaborationCase
        fields = ["title", "summary", "form", "activity_fields", "responsible_department", "total_cost", "city_share",
                  "fiscal_year_start", "fiscal_year_end", "outcome", "lessons", "sharing_level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_department"].queryset = self.fields["responsible_department"].queryset.filter(
            kind=OrganizationKind.CITY_DEPARTMENT
        )
        self.fields["fiscal_year_start"].help_text = _("西暦で入力（例: 平成26年度 → 2014）")

    def derived_center(self, values):
        department = values.get("responsible_department")
        return department.center if department else None


class PartyForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("組織"), required=False)
    role = forms.ChoiceField(choices=m.PartyRole.choices, label=_("立場"), initial=m.PartyRole.PARTNER)
    contribution = forms.CharField(label=_("担った役割"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = scoped_queryset(user, Organization, "view")


PartyFormSet = forms.formset_factory(PartyForm, extra=2, max_num=20)


def _checks(choices, label, coerce=str, help_text=""):
    return forms.TypedMultipleChoiceField(
        choices=choices, coerce=coerce, required=False, label=label, help_text=help_text,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )


MONTH_CHOICES = [(month, MONTHS[month]) for month in m.MONTHS]  # Django's names: 4月 in Japanese


def on_behalf_field(form: ServiceForm) -> None:
    """「会員団体（代理での掲載）」: a network posting for one of its current members; the model checks the
    member belongs to the poster (the requester, or the offer's group)."""
    field = form.fields["on_behalf_of"]
    field.queryset = postable_members(user=form.user)
    field.label_from_instance = lambda member: member.posting_label
    field.empty_label = gettext("（代理ではない）")
    field.help_text = _("中間支援組織のネットワークが会員団体に代わって掲載するときに選びます。")


class NeedForm(ServiceForm):
    allowed_forms = _checks(m.CollaborationForm.choices, _("想定する協働の形態"),
                            help_text=_("委託は法人格のある団体に限られます。"))
    covered_costs = _checks(m.CostItem.choices, _("提案元が負担できる費用"))

    class Meta:
        model = m.Need
        fields = ["title", "description", "purpose", "requester", "on_behalf_of", "activity_fields", "area", "fiscal_year",
                  "needed_by", "budget", "allowed_forms", "forms_note", "resources", "covered_costs", "partner_role",
                  "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester"].queryset = self.fields["requester"].queryset.exclude(kind=OrganizationKind.CENTER)
        on_behalf_field(self)
        self.fields["fiscal_year"].help_text = _("西暦で入力（例: 令和8年度 → 2026）")

    def derived_center(self, values):
        return values["requester"].center if values.get("requester") else None


class OfferForm(ServiceForm):
    available_months = _checks(MONTH_CHOICES, _("対応できる時期（月）"), coerce=int, help_text=_("選ばなければ通年"))
    cost_conditions = _checks(m.CostItem.choices, _("負担をお願いする費用"))

    class Meta:
        model = m.Offer
        fields = ["group", "on_behalf_of", "title", "description", "activity_fields", "area", "capacity",
                  "available_months", "cost_conditions", "conditions", "is_published"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = self.fields["group"].queryset.select_related("organization")
        on_behalf_field(self)
        self.fields.pop("center", None)  # an offer belongs to its group's center
        if self.instance.pk:
            del self.fields["group"]

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        values.pop("center", None)
        return values


class PartnerForm(ServiceForm):
    kind = forms.ChoiceField(label=_("種別"), choices=PARTNER_KINDS)

    class Meta:
        model = Organization
        fields = ["name", "name_kana", "kind", "municipality_code", "municipality_name"]


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("CSVファイル（UTF-8 または Shift_JIS/CP932）"))
    center = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("センター"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = user_centers(user=user)
        if self.fields["center"].queryset.count() == 1:
            self.fields["center"].initial = self.fields["center"].queryset.first()


class TableUploadForm(ImportUploadForm):
    file = forms.FileField(label=_("CSVファイル（UTF-8 または Shift_JIS/CP932）またはExcelファイル（.xlsx）"))


class FormCountsUploadForm(TableUploadForm):
    source = forms.CharField(label=_("出典"), max_length=200, required=False,
                             help_text=_("例: 令和3年度第4回市民活動推進委員会 資料3"))


# --- マッチング ------------------------------------------------------------------------------


class DismissForm(forms.Form):
    offer = forms.UUIDField(widget=forms.HiddenInput)
    need = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("見送りの理由"), choices=m.DismissalReason.choices)
    note = forms.CharField(label=_("補足"), required=False, max_length=500)


class ProposeForm(forms.Form):
    offer = forms.UUIDField(widget=forms.HiddenInput)
    need = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("提案のメモ"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("実施日"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    # Left to the service, so the UI and the API say the same thing when it is missing.
    notes = forms.CharField(label=_("記録（話し合ったこと・決まったこと・次にすること）"), required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))


class AgreeForm(forms.Form):
    form = forms.ChoiceField(label=_("合意した協働の形態"), choices=m.CollaborationForm.choices)
    note = forms.CharField(label=_("メモ"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, match=None, **kwargs):
        super().__init__(*args, **kwargs)
        if match is not None and match.need.allowed_forms:
            allowed = set(match.need.allowed_forms)
            self.fields["form"].choices = [(v, label) for v, label in m.CollaborationForm.choices if v in allowed]


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("見送りの理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- スタディツアー -----------------------------------------------------------------------------------


class TourForm(ServiceForm):
    class Meta:
        model = m.StudyTour
        fields = ["title", "theme", "activity_fields", "description", "starts_on", "ends_on", "reading_days", "capacity"]


class TourOrganizationForm(forms.Form):
    name = forms.CharField(label=_("参加団体名"), max_length=200)
    kind = forms.ChoiceField(label=_("種別"), choices=m.TourOrganizationKind.choices)
    seats = forms.IntegerField(label=_("参加人数"), min_value=1, max_value=1000, initial=1)


class TourCaseForm(forms.Form):
    case = forms.ModelChoiceField(label=_("当センターの協働事例"), queryset=m.CollaborationCase.objects.none())
    stop = forms.ModelChoiceField(label=_("訪問先"), queryset=m.TourStop.objects.none(), required=False, empty_label="—")
    named = forms.BooleanField(label=_("このツアーでは団体名を出す（団体ごとにツアー限りの同意が必要）"), required=False)
    note = forms.CharField(label=_("見どころ"), max_length=400, required=False)

    def __init__(self, *args, tour, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = scoped_queryset(user, m.CollaborationCase, "view").filter(
            center=tour.center).order_by("title")
        self.fields["stop"].queryset = tour.stops.all()


class TourLibraryCaseForm(forms.Form):
    library_case_uuid = forms.UUIDField(widget=forms.HiddenInput)
    library_center_uuid = forms.UUIDField(widget=forms.HiddenInput)
    library_title = forms.CharField(max_length=400, widget=forms.HiddenInput)
    stop = forms.ModelChoiceField(label=_("訪問先"), queryset=m.TourStop.objects.none(), required=False, empty_label="—")

    def __init__(self, *args, tour, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stop"].queryset = tour.stops.all()


class TourConsentForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("団体"), queryset=Organization.objects.none())
    method = forms.ChoiceField(label=_("同意の方法"), choices=m.ConsentMethod.choices)
    note = forms.CharField(label=_("メモ（日付・相手など）"), max_length=200, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(pk__in=[o.pk for o in organizations])


class TourInvitationForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("参加団体"), queryset=m.TourOrganization.objects.none(), empty_label=None)
    count = forms.IntegerField(label=_("人数"), min_value=1, max_value=50, initial=1)
    days_valid = forms.IntegerField(label=_("リンクの有効期間（日）"), min_value=1, max_value=60, initial=14)

    def __init__(self, *args, tour, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = tour.organizations.all()


class TourLessonForm(forms.Form):
    title = forms.CharField(label=_("教訓の見出し"), max_length=200)
    text = forms.CharField(label=_("教訓（個人名は書かないでください）"), max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    cases = forms.ModelMultipleChoiceField(label=_("関連する事例"), queryset=m.TourCase.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, tour, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = tour.cases.select_related("case")


class ReportSessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("発表会の日時"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    venue = forms.CharField(label=_("会場"), max_length=200, required=False)


class ProposalForm(forms.Form):
    """A group's proposal; the texts' limits repeat the model's only to say so before sending."""

    group = forms.ModelChoiceField(queryset=m.GroupRegistration.objects.none(), label=_("提案する団体"))
    title = forms.CharField(label=_("提案の名称"), max_length=200)
    activity = forms.CharField(label=_("何をするか"), widget=forms.Textarea(attrs={"rows": 4}))
    people = forms.CharField(label=_("誰が担うか（体制）"), widget=forms.Textarea(attrs={"rows": 2}))
    timing = forms.CharField(label=_("いつ・どのくらい"), max_length=300)
    cost_yen = forms.IntegerField(label=_("費用の見込み（円）"), required=False, min_value=0, max_value=2_000_000_000)
    cost_note = forms.CharField(label=_("費用の内訳・補足"), max_length=300, required=False)
    asks_of_city = forms.CharField(label=_("市にお願いしたいこと"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].label_from_instance = lambda group: group.organization.name
        if groups.count() == 1:
            self.fields["group"].initial = groups.first().pk


class ProposalDecisionForm(forms.Form):
    note = forms.CharField(label=_("団体への連絡"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProposalAnswerForm(forms.Form):
    answer = forms.CharField(label=_("担当課からの回答"), widget=forms.Textarea(attrs={"rows": 3}))


class _DepartmentForm(ServiceForm):
    """A department's own record: the department is chosen among the city departments in scope."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("center", None)  # a department's records belong to its center
        if "department" in self.fields:
            self.fields["department"].queryset = self.fields["department"].queryset.filter(
                kind=OrganizationKind.CITY_DEPARTMENT)
            if self.instance.pk:
                del self.fields["department"]

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        values.pop("center", None)
        return values


class MenuItemForm(_DepartmentForm):
    class Meta:
        model = m.MenuItem
        fields = ["department", "kind", "can_do", "title", "description", "conditions", "fiscal_year",
                  "activity_fields"]
        widgets = {"can_do": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].help_text = _("西暦で入力（例: 令和8年度 → 2026）")
        self.fields["conditions"].help_text = _("対象・申請時期・費用など。「できない」項目には代わりの相談先も")


class DeskForm(_DepartmentForm):
    class Meta:
        model = m.DepartmentDesk
        fields = ["department", "desk_name", "switchboard", "public_inbox", "location", "themes", "summary",
                  "activity_fields", "is_listed"]


# --- 地域人材への依頼 -------------------------------------------------------------------------------


class TalentRequestForm(forms.Form):
    """The public talent page's request form (no login). The service checks the same rules again."""

    requester_name = forms.CharField(label=_("お名前"), max_length=100,
                                     error_messages={"required": _("お名前を入力してください。")})
    requester_organization = forms.CharField(label=_("団体名・所属（任意）"), max_length=200, required=False)
    requester_phone = forms.CharField(label=_("電話番号"), max_length=40, required=False,
                                      widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    requester_email = forms.EmailField(label=_("メールアドレス"), required=False,
                                       error_messages={"invalid": _("メールアドレスの形式が正しくありません。")},
                                       widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    purpose = forms.CharField(label=_("依頼の内容（何のために、どんなことを）"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": _("依頼の内容を入力してください。"),
                                              "max_length": _("依頼の内容は%(limit_value)d字以内にしてください。")})
    preferred_dates = forms.CharField(label=_("希望日時"), max_length=200,
                                      error_messages={"required": _("希望日時を入力してください。")})
    place = forms.CharField(label=_("場所"), max_length=200, error_messages={"required": _("場所を入力してください。")})

    def clean(self):
        data = super().clean()
        if not data.get("requester_phone") and not data.get("requester_email") and "requester_email" not in self.errors:
            self.add_error("requester_phone", ValidationError(
                _("電話番号かメールアドレスのどちらかを入力してください。"), code="contact_required"))
        return data


class TalentRequestAnswerForm(forms.Form):
    decision = forms.ChoiceField(label=_("対応"), choices=[("introduced", _("紹介した")), ("declined", _("お断りした"))],
                                 widget=forms.RadioSelect,
                                 error_messages={"required": _("「紹介した」か「お断りした」を選んでください。")})
    note = forms.CharField(label=_("対応の記録"), widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("対応の記録を入力してください。")})
