"""Input and output serializers of the node API. Inputs only parse; the services validate and write."""

from __future__ import annotations

import uuid

from django.utils.dates import MONTHS
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.japanese import fiscal_year_label
from permissions.models import Organization, OrganizationKind
from permissions.scoping import scoped_queryset

from .. import models as m
from ..selectors import is_stalled, user_centers


@extend_schema_field(OpenApiTypes.UUID)
class ScopedUUIDField(serializers.SlugRelatedField):
    """A link given by uuid, resolved only among records the requesting user can see."""

    def __init__(self, model, **kwargs):
        self.scoped_model = model
        kwargs.setdefault("slug_field", "uuid")
        super().__init__(**kwargs)

    def get_queryset(self):
        return scoped_queryset(self.context["request"].user, self.scoped_model, "view")


@extend_schema_field(OpenApiTypes.UUID)
class CenterField(serializers.SlugRelatedField):
    """The center a new record belongs to: one the user may register records for."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "uuid")
        super().__init__(**kwargs)

    def get_queryset(self):
        return user_centers(user=self.context["request"].user)


def activity_fields_field(**kwargs):
    return serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=m.ActivityField.objects.all(), required=False, **kwargs
    )


class CenterDefaultMixin:
    """When the user works for exactly one center, `center` may be left out of a create."""

    def validate(self, attrs):
        if self.instance is None and "center" in self.fields and "center" not in attrs:
            centers = list(user_centers(user=self.context["request"].user)[:2])
            if len(centers) != 1:
                raise serializers.ValidationError({"center": serializers.ErrorDetail(gettext("センターを指定してください。"), code="required")})
            attrs["center"] = centers[0]
        return super().validate(attrs)


# --- shared output pieces -------------------------------------------------------------------


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["uuid", "name", "kind"]


class ActivityFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.ActivityField
        fields = ["code", "name", "short_name"]


class RecordOutput(serializers.ModelSerializer):
    center = OrganizationRefSerializer(read_only=True)
    activity_fields = ActivityFieldSerializer(many=True, read_only=True)

    class Meta:
        fields = ["uuid", "center", "version", "created_at", "updated_at"]


# --- 団体登録 --------------------------------------------------------------------------------

GROUP_KINDS = [
    (k, label) for k, label in OrganizationKind.choices
    if k not in ("center", "company", "school", "city_department", "prefecture")
]


class GroupInput(CenterDefaultMixin, serializers.ModelSerializer):
    center = CenterField(required=False)
    name = serializers.CharField(max_length=200)
    name_kana = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=GROUP_KINDS, required=False)
    activity_fields = activity_fields_field()
    consents = serializers.MultipleChoiceField(choices=m.GroupRegistration.CONSENTS, required=False, write_only=True)

    class Meta:
        model = m.GroupRegistration
        fields = [
            "center", "name", "name_kana", "kind", "legal_form", "activity_fields", "description", "area", "member_count",
            "representative_name", "representative_kana", "contact_name", "contact_phone", "contact_email",
            "contact_postal_code", "contact_address", "corporate_number", "registered_on", "renewal_due", "status",
            "consents",
        ]
        extra_kwargs = {"registered_on": {"required": False}, "renewal_due": {"required": False}}
        # Uniqueness and model validation run in the service, once, with the final values.
        validators = []


class GroupListOutput(RecordOutput):
    name = serializers.CharField(source="organization.name")
    name_kana = serializers.CharField(source="organization.name_kana")
    kind = serializers.CharField(source="organization.kind")
    consents = serializers.SerializerMethodField()

    class Meta:
        model = m.GroupRegistration
        fields = [*RecordOutput.Meta.fields, "name", "name_kana", "kind", "legal_form", "activity_fields", "area",
                  "member_count", "status", "registered_on", "renewal_due", "corporate_number", "consents"]

    def get_consents(self, group) -> dict:
        return {c: getattr(group, f"consent_{c}_at") for c in m.GroupRegistration.CONSENTS}


class GroupDetailOutput(GroupListOutput):
    class Meta(GroupListOutput.Meta):
        fields = [*GroupListOutput.Meta.fields, "description", *m.GroupRegistration.PERSONAL_FIELDS]


class GroupImportInput(CenterDefaultMixin, serializers.Serializer):
    center = CenterField(required=False)
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class GroupImportOutput(serializers.Serializer):
    encoding = serializers.CharField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    ignored_columns = serializers.ListField(child=serializers.CharField())


class ConsentInput(serializers.Serializer):
    consent = serializers.ChoiceField(choices=m.GroupRegistration.CONSENTS)
    given = serializers.BooleanField()


class RenewInput(serializers.Serializer):
    renewed_on = serializers.DateField(required=False)


# --- 地域人材ボランティア -----------------------------------------------------------------------


class TalentInput(CenterDefaultMixin, serializers.ModelSerializer):
    center = CenterField(required=False)
    activity_fields = activity_fields_field()
    consents = serializers.MultipleChoiceField(choices=m.TalentVolunteer.CONSENTS, required=False, write_only=True)

    class Meta:
        model = m.TalentVolunteer
        fields = ["center", "name", "name_kana", "phone", "email", "title", "skills", "activity_fields", "area",
                  "availability", "conditions", "registered_on", "is_active", "consents"]
        extra_kwargs = {"registered_on": {"required": False}}
        validators = []


class TalentConsentInput(serializers.Serializer):
    consent = serializers.ChoiceField(choices=m.TalentVolunteer.CONSENTS)
    given = serializers.BooleanField()


class TalentListOutput(RecordOutput):
    consents = serializers.SerializerMethodField()

    class Meta:
        model = m.TalentVolunteer
        fields = [*RecordOutput.Meta.fields, "title", "skills", "activity_fields", "area", "availability", "is_active",
                  "consents", "registered_on"]

    def get_consents(self, talent) -> dict:
        return {c: getattr(talent, f"consent_{c}_at") for c in m.TalentVolunteer.CONSENTS}


class TalentDetailOutput(TalentListOutput):
    class Meta(TalentListOutput.Meta):
        fields = [*TalentListOutput.Meta.fields, "conditions", *m.TalentVolunteer.PERSONAL_FIELDS]


# --- イベント --------------------------------------------------------------------------------


class EventInput(CenterDefaultMixin, serializers.ModelSerializer):
    center = CenterField(required=False)
    activity_fields = activity_fields_field()
    organizers = ScopedUUIDField(Organization, many=True, required=False)
    participants = ScopedUUIDField(Organization, many=True, required=False)
    produced_cases = ScopedUUIDField(m.CollaborationCase, many=True, required=False)
    produced_groups = ScopedUUIDField(m.GroupRegistration, many=True, required=False)

    class Meta:
        model = m.Event
        fields = ["center", "title", "kind", "theme", "activity_fields", "description", "starts_at", "ends_at", "venue",
                  "organizers", "participants", "capacity", "attendance", "status", "cancellation_reason",
                  "is_public", "outcome_note", "produced_cases", "produced_groups"]
        validators = []


class EventOutput(RecordOutput):
    organizers = OrganizationRefSerializer(many=True, read_only=True)
    participants = OrganizationRefSerializer(many=True, read_only=True)

    class Meta:
        model = m.Event
        fields = [*RecordOutput.Meta.fields, "title", "kind", "theme", "activity_fields", "description", "starts_at",
                  "ends_at", "venue", "organizers", "participants", "capacity", "attendance", "status",
                  "cancellation_reason", "is_public", "outcome_note"]


class EventDetailOutput(EventOutput):
    produced_cases = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    produced_groups = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)

    class Meta(EventOutput.Meta):
        fields = [*EventOutput.Meta.fields, "produced_cases", "produced_groups"]


# --- 相談 ----------------------------------------------------------------------------------


class ConsultationInput(CenterDefaultMixin, serializers.ModelSerializer):
    center = CenterField(required=False)
    requester_organization = ScopedUUIDField(Organization, required=False, allow_null=True)
    linked_organizations = ScopedUUIDField(Organization, many=True, required=False)
    linked_cases = ScopedUUIDField(m.CollaborationCase, many=True, required=False)

    class Meta:
        model = m.Consultation
        fields = ["center", "requester_name", "requester_contact", "requester_organization", "topic", "channel",
                  "kind", "intake_note", "coordinate_note", "closing_note", "linked_organizations", "linked_cases"]
        validators = []


class AdvanceInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConsultationListOutput(RecordOutput):
    requester_organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    intake_staff = serializers.CharField(source="intake_staff.username", read_only=True)
    assignee = serializers.CharField(source="assignee.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = m.Consultation
        fields = [*RecordOutput.Meta.fields, "topic", "channel", "kind", "step", "requester_organization", "intake_at",
                  "intake_staff", "assignee", "assigned_at", "coordinate_at", "closing_at", "closed_at"]


class ConsultationDetailOutput(ConsultationListOutput):
    linked_organizations = OrganizationRefSerializer(many=True, read_only=True)
    linked_cases = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)

    class Meta(ConsultationListOutput.Meta):
        fields = [*ConsultationListOutput.Meta.fields, *m.Consultation.PERSONAL_FIELDS, "linked_organizations",
                  "linked_cases"]


# --- 協働事例 -------------------------------------------------------------------------------


class PartyInput(serializers.Serializer):
    organization = ScopedUUIDField(Organization)
    role = serializers.ChoiceField(choices=m.PartyRole.choices, default=m.PartyRole.PARTNER)
    contribution = serializers.CharField(required=False, allow_blank=True, default="")


class CaseInput(CenterDefaultMixin, serializers.ModelSerializer):
    center = CenterField(required=False)
    activity_fields = activity_fields_field()
    responsible_department = ScopedUUIDField(Organization, required=False, allow_null=True)
    parties = PartyInput(many=True, required=False)

    class Meta:
        model = m.CollaborationCase
        fields = ["center", "title", "summary", "form", "activity_fields", "responsible_department", "parties", "total_cost",
                  "city_share", "fiscal_year_start", "fiscal_year_end", "outcome", "lessons", "sharing_level"]
        validators = []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is None and "center" not in attrs and attrs.get("responsible_department"):
            attrs["center"] = attrs["responsible_department"].center
        return attrs


class PartyOutput(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True)

    class Meta:
        model = m.CaseParty
        fields = ["organization", "role", "contribution"]


class CaseOutput(RecordOutput):
    responsible_department = OrganizationRefSerializer(read_only=True, allow_null=True)
    parties = PartyOutput(source="party_roles", many=True, read_only=True)
    fiscal_years = serializers.SerializerMethodField()

    class Meta:
        model = m.CollaborationCase
        fields = [*RecordOutput.Meta.fields, "title", "summary", "form", "activity_fields", "responsible_department",
                  "parties", "total_cost", "city_share", "fiscal_year_start", "fiscal_year_end", "fiscal_years",
                  "outcome", "lessons", "sharing_level"]

    def get_fiscal_years(self, case) -> list[str]:
        end = case.fiscal_year_end or case.fiscal_year_start
        return [fiscal_year_label(year) for year in range(case.fiscal_year_start, end + 1)]


# --- 協働の種 / できることメニュー ------------------------------------------------------------------


def choice_list(choices, **kwargs):
    return serializers.ListField(child=serializers.ChoiceField(choices=choices), required=False, **kwargs)


MONTH_CHOICES = [(month, MONTHS[month]) for month in m.MONTHS]  # Django's names: 4月 in Japanese


class NeedInput(CenterDefaultMixin, serializers.ModelSerializer):
    center = CenterField(required=False)
    requester = ScopedUUIDField(Organization)
    on_behalf_of = ScopedUUIDField(m.NetworkMember, required=False, allow_null=True)
    activity_fields = activity_fields_field()
    allowed_forms = choice_list(m.CollaborationForm.choices, help_text="協働の形態（複数可）。委託は法人格のある団体に限る")
    covered_costs = choice_list(m.CostItem.choices)

    class Meta:
        model = m.Need
        fields = ["center", "title", "description", "purpose", "requester", "activity_fields", "area", "fiscal_year",
                  "needed_by", "budget", "allowed_forms", "forms_note", "resources", "covered_costs", "partner_role",
                  "status", "on_behalf_of"]
        validators = []

    def validate(self, attrs):
        # A department's or neighbourhood's need belongs to the center that keeps that partner.
        if self.instance is None and "center" not in attrs and attrs.get("requester") is not None:
            attrs["center"] = attrs["requester"].center
        return super().validate(attrs)


def on_behalf_output(record) -> dict | None:
    member = record.on_behalf_of
    return None if member is None else {"uuid": str(member.uuid), "name": member.display_name,
                                        "label": str(member.posting_label)}


class NeedOutput(RecordOutput):
    requester = OrganizationRefSerializer(read_only=True)
    on_behalf_of = serializers.SerializerMethodField()
    allowed_forms = serializers.ListField(child=serializers.CharField(), read_only=True)
    covered_costs = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = m.Need
        fields = [*RecordOutput.Meta.fields, "title", "description", "purpose", "requester", "activity_fields", "area",
                  "fiscal_year", "needed_by", "budget", "allowed_forms", "forms_note", "resources", "covered_costs",
                  "partner_role", "status", "on_behalf_of"]

    def get_on_behalf_of(self, need) -> dict | None:
        return on_behalf_output(need)


class OfferInput(serializers.ModelSerializer):
    group = ScopedUUIDField(m.GroupRegistration)
    on_behalf_of = ScopedUUIDField(m.NetworkMember, required=False, allow_null=True)
    activity_fields = activity_fields_field()
    available_months = choice_list(MONTH_CHOICES, help_text="対応できる月（空は通年）")
    cost_conditions = choice_list(m.CostItem.choices)

    class Meta:
        model = m.Offer
        fields = ["group", "title", "description", "activity_fields", "area", "capacity", "available_months",
                  "cost_conditions", "conditions", "is_published", "on_behalf_of"]
        validators = []


class OfferOutput(RecordOutput):
    group = serializers.SerializerMethodField()
    on_behalf_of = serializers.SerializerMethodField()
    available_months = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    cost_conditions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = m.Offer
        fields = [*RecordOutput.Meta.fields, "group", "title", "description", "activity_fields", "area", "capacity",
                  "available_months", "cost_conditions", "conditions", "is_published", "on_behalf_of"]

    def get_group(self, offer) -> dict:
        return {"uuid": str(offer.group.uuid), "name": offer.group.organization.name}

    def get_on_behalf_of(self, offer) -> dict | None:
        return on_behalf_output(offer)


# --- マッチング ------------------------------------------------------------------------------


class ReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=[("good", "good"), ("caution", "caution")])
    text = serializers.CharField()


class SuggestionQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


class OfferRefOutput(serializers.ModelSerializer):
    group = serializers.SerializerMethodField()

    class Meta:
        model = m.Offer
        fields = ["uuid", "title", "area", "group"]

    def get_group(self, offer) -> dict:
        group = offer.group
        return {"uuid": str(group.uuid), "name": group.organization.name, "legal_form": group.legal_form}


class NeedRefOutput(serializers.ModelSerializer):
    requester = OrganizationRefSerializer(read_only=True)

    class Meta:
        model = m.Need
        fields = ["uuid", "title", "area", "requester", "status"]


class SuggestionOutput(serializers.Serializer):
    """One suggestion: what, how good (score and each feature in [0, 1]) and why, in Japanese."""

    offer = serializers.SerializerMethodField()
    need = serializers.SerializerMethodField()
    score = serializers.FloatField(source="suggestion.score")
    features = serializers.DictField(child=serializers.FloatField(), source="suggestion.features")
    reasons = ReasonOutput(many=True, source="suggestion.reasons")
    match = serializers.SerializerMethodField(help_text="An open match of the same pair, if staff proposed it")

    def get_match(self, item) -> uuid.UUID | None:
        return item.match.uuid if item.match else None

    def get_offer(self, item) -> dict | None:
        return OfferRefOutput(item.record).data if isinstance(item.record, m.Offer) else None

    def get_need(self, item) -> dict | None:
        return NeedRefOutput(item.record).data if isinstance(item.record, m.Need) else None


class TalentRefOutput(serializers.ModelSerializer):
    """A talent as suggestions name it: what they can do, not who they are."""

    class Meta:
        model = m.TalentVolunteer
        fields = ["uuid", "title", "skills", "area", "availability"]


class TalentSuggestionOutput(serializers.Serializer):
    talent = TalentRefOutput(source="record")
    score = serializers.FloatField(source="suggestion.score")
    features = serializers.DictField(child=serializers.FloatField(), source="suggestion.features")
    reasons = ReasonOutput(many=True, source="suggestion.reasons")


class SuggestionPageOutput(serializers.Serializer):
    subject = serializers.SerializerMethodField()
    notes = ReasonOutput(many=True)
    learned = serializers.ListField(child=serializers.CharField())
    results = SuggestionOutput(many=True, source="items")
    talents = TalentSuggestionOutput(many=True, help_text="地域人材の候補: for a need, the center's talents ranked "
                                     "by the same scorer (empty for an offer)")

    def get_subject(self, page) -> str:
        return str(page.subject.uuid)


class DismissalInput(serializers.Serializer):
    need = ScopedUUIDField(m.Need)
    offer = ScopedUUIDField(m.Offer)
    reason = serializers.ChoiceField(choices=m.DismissalReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DismissalOutput(serializers.ModelSerializer):
    need = NeedRefOutput(read_only=True)
    offer = OfferRefOutput(read_only=True)
    dismissed_by = serializers.CharField(source="dismissed_by.username", read_only=True)

    class Meta:
        model = m.SuggestionDismissal
        fields = ["uuid", "need", "offer", "reason", "note", "features", "score", "dismissed_by", "created_at"]


class MatchInput(serializers.Serializer):
    need = ScopedUUIDField(m.Need)
    offer = ScopedUUIDField(m.Offer)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingInput(serializers.Serializer):
    held_on = serializers.DateField()
    notes = serializers.CharField(allow_blank=True)


class AgreeInput(serializers.Serializer):
    form = serializers.ChoiceField(choices=m.CollaborationForm.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DeclineInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class MeetingOutput(serializers.ModelSerializer):
    class Meta:
        model = m.MatchMeeting
        fields = ["held_on", "notes", "created_at"]


class MatchOutput(serializers.ModelSerializer):
    center = OrganizationRefSerializer(read_only=True)
    need = NeedRefOutput(read_only=True)
    offer = OfferRefOutput(read_only=True)
    case = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    stalled = serializers.SerializerMethodField()
    meetings = MeetingOutput(many=True, read_only=True)

    class Meta:
        model = m.Match
        fields = ["uuid", "center", "need", "offer", "status", "note", "reasons", "score", "meeting_at", "agreed_at",
                  "agreed_form", "case", "case_created_at", "declined_at", "declined_reason", "last_activity_at",
                  "stalled", "meetings", "version", "created_at", "updated_at"]

    def get_stalled(self, match) -> bool:
        return is_stalled(match)


# --- partners -------------------------------------------------------------------------------

PARTNER_KINDS = [(k, label) for k, label in OrganizationKind.choices if k not in ("center", "prefecture")]


class PartnerInput(CenterDefaultMixin, serializers.ModelSerializer):
    center = CenterField(required=False)
    kind = serializers.ChoiceField(choices=PARTNER_KINDS)

    class Meta:
        model = Organization
        fields = ["center", "name", "name_kana", "kind", "municipality_code", "municipality_name"]
        validators = []


class OrganizationOutput(serializers.ModelSerializer):
    center = OrganizationRefSerializer(read_only=True, allow_null=True)  # none for a center itself

    class Meta:
        model = Organization
        fields = ["uuid", "name", "name_kana", "kind", "center", "municipality_code", "municipality_name",
                  "updated_at"]


class ShareQuery(serializers.Serializer):
    level = serializers.ChoiceField(choices=m.SharingLevel.choices, required=False)


class ShareInput(serializers.Serializer):
    level = serializers.ChoiceField(choices=m.SharingLevel.choices)
    reach = serializers.ChoiceField(choices=m.SharingReach.choices, required=False)


class ShareOutput(serializers.Serializer):
    """What the hub would receive, why it might not, and where each replacement sits."""

    level = serializers.CharField()
    reach = serializers.CharField()
    sendable = serializers.BooleanField()
    payload = serializers.JSONField(allow_null=True)
    held = serializers.ListField(child=serializers.CharField())
    blocked = serializers.ListField(child=serializers.CharField())
    replacements = serializers.JSONField()
    hub_state = serializers.JSONField()
