"""Hub forms: node admin, and the case library's filters and collections; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import TourStopForm
from common.templatetags.kyodo import person_name
from common.vocabulary import TRACK_FILTER_FORMS, continuation_filter_choices
from permissions.models import HubScope, Membership
from permissions.roles import COORDINATOR_ROLES
from sync.disaster import MAX_CONTACT_GRANT_HOURS, Hazard, Phase, QuestionKind, parse_codes

from .models import (
    ACTIVITY_FIELDS,
    CaseCollection,
    CaseLevel,
    CaseOutcome,
    CollaborationForm,
    Node,
    NodeCenter,
)


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


# --- the shared case library --------------------------------------------------------------------


def _blank(choices) -> list:
    return [("", "—"), *choices]


class CenterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.municipality_name}）" if obj.municipality_name else obj.name


class LibraryFilterForm(forms.Form):
    """The library's search box and filters; a bad value is reported and left out, never a 500."""

    q = forms.CharField(label=_("キーワード"), required=False, max_length=200)
    form = forms.ChoiceField(label=_("協働の形態"), required=False, choices=_blank(CollaborationForm.choices))
    field = forms.TypedChoiceField(label=_("活動分野"), required=False, coerce=int, empty_value=None,
                                   choices=_blank([(code, f"{code} {name}") for code, name in ACTIVITY_FIELDS.items()]))
    center = CenterChoiceField(label=_("センター"), required=False, queryset=NodeCenter.objects.all(),
                               to_field_name="center_uuid", empty_label="—")
    fiscal_year = forms.IntegerField(label=_("年度（西暦）"), required=False, min_value=1950, max_value=2100,
                                     widget=forms.NumberInput(attrs={"placeholder": "2014"}))
    outcome = forms.ChoiceField(label=_("期間後の状況"), required=False, choices=_blank(CaseOutcome.choices))
    level = forms.ChoiceField(label=_("共有レベル"), required=False, choices=_blank(CaseLevel.choices))


class YearRangeFilterForm(forms.Form):
    """A center (or all) and a range of 年度 no wider than `max_years`."""

    center = CenterChoiceField(label=_("センター"), required=False, queryset=NodeCenter.objects.all(),
                               to_field_name="center_uuid", empty_label=_("すべてのセンター"))
    year_from = forms.IntegerField(label=_("開始年度（西暦）"), required=False, min_value=1950, max_value=2100)
    year_to = forms.IntegerField(label=_("終了年度（西暦）"), required=False, min_value=1950, max_value=2100)

    def __init__(self, *args, max_years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_years = max_years

    def clean(self):
        data = super().clean()
        first, last = data.get("year_from"), data.get("year_to")
        if first is not None and last is not None:
            if first > last:
                self.add_error("year_to", forms.ValidationError(_("終了年度は開始年度以降にしてください。"),
                                                                code="years_reversed"))
            elif last - first + 1 > self.max_years:
                self.add_error("year_to", forms.ValidationError(
                    _("一度に集計できるのは%(n)d年度までです。") % {"n": self.max_years}, code="too_many_years"))
        return data


class StatisticsFilterForm(YearRangeFilterForm):
    # These two pick the row of the continuation table (継続状況) only.
    form = forms.ChoiceField(label=_("継続状況の形態"), required=False,
                             choices=_blank(continuation_filter_choices()["forms"]))
    track = forms.ChoiceField(label=_("継続状況の区分（協働推進事業）"), required=False,
                              choices=_blank(continuation_filter_choices()["tracks"]))

    @property
    def track_form(self) -> str | None:
        """The form of 協働推進事業 the track filter stands for (valid forms only)."""
        track = self.cleaned_data.get("track") if self.is_bound and self.is_valid() else None
        return TRACK_FILTER_FORMS[track] if track else None

    def clean(self):
        data = super().clean()
        form, track = data.get("form"), data.get("track")
        if track and form and form != CollaborationForm.KYODO_SUISHIN:
            self.add_error("track", forms.ValidationError(
                _("区分は協働推進事業にだけあります。形態を「協働推進事業」にするか、空欄にしてください。"),
                code="track_outside_programme"))
        return data


class CollectionForm(forms.ModelForm):
    class Meta:
        model = CaseCollection
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AddToCollectionForm(forms.Form):
    collection = forms.ModelChoiceField(label=_("事例集"), queryset=CaseCollection.objects.order_by("title"),
                                        empty_label=None)
    note = forms.CharField(label=_("メモ（視察先で見てほしい点など）"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


# --- disaster declarations (みんかな) ---------------------------------------------------------------


class _DisasterAreaForm(forms.Form):
    name = forms.CharField(label=_("災害名"), max_length=200,
                           widget=forms.TextInput(attrs={"placeholder": _("例: 令和○年 神奈川県西部地震")}))
    hazard = forms.ChoiceField(label=_("災害の種類"), choices=Hazard.choices)
    whole_prefecture = forms.BooleanField(label=_("県内全域（神奈川県のすべての市区町村）"), required=False)
    municipality_codes = forms.CharField(
        label=_("対象の市区町村（全国地方公共団体コード、6桁）"), required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "142077 142069", "inputmode": "numeric"}),
        help_text=_("空白・改行・読点で区切って入力します。県内全域の場合は空欄で構いません。"))

    def clean_municipality_codes(self):
        # The service checks every code (check digit, prefecture) and names the bad one.
        return parse_codes(self.cleaned_data["municipality_codes"])


class DisasterDeclareForm(_DisasterAreaForm):
    exercise = forms.BooleanField(label=_("訓練として宣言する"), required=False,
                                  help_text=_("訓練は実際の災害と区別して表示され、あとから実災害には変えられません。"))


class DisasterUpdateForm(_DisasterAreaForm):
    phase = forms.ChoiceField(label=_("フェーズ"), choices=Phase.choices,
                              help_text=_("フェーズは 初動 → 準備 → 支援 → 撤収 の順に進みます（戻せません）。"))


# --- スタディツアー -----------------------------------------------------------------------------------


class HubTourForm(forms.Form):
    """A tour hosted by the hub (with the prefecture): its bundle is one of the library's collections."""

    title = forms.CharField(label=_("ツアー名"), max_length=200)
    host_name = forms.CharField(label=_("主催"), max_length=200, initial="神奈川県・みんかな")
    theme = forms.CharField(label=_("テーマ"), max_length=200, required=False)
    description = forms.CharField(label=_("ねらい・内容"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    fields = forms.TypedMultipleChoiceField(label=_("活動分野"), required=False, coerce=int,
                                            choices=[(code, f"{code} {name}") for code, name in ACTIVITY_FIELDS.items()],
                                            widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}))
    starts_on = forms.DateField(label=_("開始日"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("終了日"), widget=forms.DateInput(attrs={"type": "date"}))
    reading_days = forms.IntegerField(label=_("終了後の閲覧期間（日）"), min_value=0, max_value=90, initial=14)
    capacity = forms.IntegerField(label=_("定員"), min_value=1, max_value=10000, required=False)
    collection = forms.ModelChoiceField(label=_("事例（事例集から）"), queryset=CaseCollection.objects.order_by("title"),
                                        required=False, empty_label="—")


HubTourStopFormSet = forms.formset_factory(TourStopForm, extra=3, max_num=40, validate_max=True)


class InvitationIssueForm(forms.Form):
    organization_name = forms.CharField(label=_("参加団体"), max_length=200)
    count = forms.IntegerField(label=_("人数"), min_value=1, max_value=50, initial=1)
    days_valid = forms.IntegerField(label=_("リンクの有効期間（日）"), min_value=1, max_value=60, initial=14)


class InvitationAcceptForm(forms.Form):
    display_name = forms.CharField(label=_("お名前（ホストと参加者に表示されます）"), max_length=100)
    username = forms.CharField(label=_("ログインID（半角英数字）"), max_length=150, required=False)
    password = forms.CharField(label=_("パスワード（8文字以上）"), required=False, widget=forms.PasswordInput)


class TourReportForm(forms.Form):
    saw = forms.CharField(label=_("見たこと・気づいたこと"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5}))
    transfer = forms.CharField(label=_("自分の地域に持ち帰りたいこと"), max_length=8000, required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))
    questions = forms.CharField(label=_("ホストへの質問"), max_length=8000, required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
class ContactGrantForm(forms.Form):
    reason = forms.CharField(label=_("閲覧の理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("例：避難所の運営支援を依頼するため、活動可能な団体へ電話連絡する"))
    hours = forms.IntegerField(label=_("閲覧できる期間（時間）"), min_value=1, max_value=MAX_CONTACT_GRANT_HOURS,
                               initial=24)


SURVEY_QUESTION_ROWS = 5


class SurveyForm(forms.Form):
    """A title and up to five questions; choices one per line. Keys are given here, not typed."""

    title = forms.CharField(label=_("調査名"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, SURVEY_QUESTION_ROWS + 1):
            self.fields[f"text_{i}"] = forms.CharField(label=_("設問 %(n)s") % {"n": i}, max_length=200,
                                                       required=i == 1)
            self.fields[f"kind_{i}"] = forms.ChoiceField(label=_("回答の形式"), choices=QuestionKind.choices,
                                                         required=False)
            self.fields[f"options_{i}"] = forms.CharField(
                label=_("選択肢（1行に1つ）"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @property
    def question_rows(self):
        return [[self[f"{name}_{i}"] for name in ("text", "kind", "options")]
                for i in range(1, SURVEY_QUESTION_ROWS + 1)]

    def questions(self) -> list[dict]:
        """The filled rows as the wire format (sync.disaster.parse_questions checks them)."""
        questions = []
        for i in range(1, SURVEY_QUESTION_ROWS + 1):
            text = self.cleaned_data.get(f"text_{i}", "").strip()
            if not text:
                continue
            kind = self.cleaned_data.get(f"kind_{i}") or QuestionKind.SINGLE
            labels = [line.strip() for line in self.cleaned_data.get(f"options_{i}", "").splitlines() if line.strip()]
            options = [] if kind == QuestionKind.NUMBER else [
                {"key": f"o{n}", "label": label} for n, label in enumerate(labels, start=1)]
            questions.append({"key": f"q{i}", "text": text, "kind": kind, "options": options})
        return questions


class ScopeGrantForm(forms.Form):
    """A scope opened to one coordinator on top of their role (the service checks who may)."""

    membership = forms.ModelChoiceField(queryset=Membership.objects.none(), label=_("コーディネーター"))
    scope = forms.ChoiceField(choices=HubScope.choices, label=_("開く範囲"))
    reason = forms.CharField(label=_("理由"), max_length=200,
                             help_text=_("例：県域の災害ボランティアセンターの報告に統計を使うため"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = (
            Membership.objects.filter(role__in=COORDINATOR_ROLES).select_related("user", "organization")
            .order_by("organization__name_kana", "user__username"))
        self.fields["membership"].label_from_instance = lambda m: (
            f"{m.organization.name}：{person_name(m.user)}（{m.get_role_display()}）")
