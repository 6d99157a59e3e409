"""Node REST API: one thin viewset per record type; inputs parse, services write, selectors read."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.api import error_response
from permissions.models import Organization
from permissions.scoping import get_scoped_or_deny, holds

from .. import csvio, filters, models as m, selectors, services, sharing
from ..services import consultation_routing as routing
from . import serializers as s
from .routing import AssignInput


class RecordViewSet(viewsets.GenericViewSet):
    """List, detail, create, update and delete through selectors and services."""

    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"
    model: type
    input_serializer: type
    list_serializer: type
    detail_serializer: type

    def get_queryset(self):
        return selectors.record_list(user=self.request.user, model=self.model)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return self.input_serializer
        return self.list_serializer if self.action == "list" else self.detail_serializer

    # Services per record type; `create` gets the validated input, `update` the record too.
    def perform_create_record(self, data):
        raise NotImplementedError

    def perform_update_record(self, record, data):
        raise NotImplementedError

    def perform_delete_record(self, record):
        services.record_delete(acting_user=self.request.user, record=record)

    def _output(self, record, http_status=status.HTTP_200_OK):
        record = selectors.record_list(user=self.request.user, model=self.model).get(pk=record.pk)
        return Response(self.detail_serializer(record, context=self.get_serializer_context()).data, status=http_status)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.list_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        record = selectors.record_detail(user=request.user, model=self.model, uuid=kwargs["uuid"])
        return Response(self.detail_serializer(record, context=self.get_serializer_context()).data)

    def create(self, request, *args, **kwargs):
        serializer = self.input_serializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        record = self.perform_create_record(dict(serializer.validated_data))
        return self._output(record, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        record = get_scoped_or_deny(request.user, self.model, "change", uuid=kwargs["uuid"])
        serializer = self.input_serializer(record, data=request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("center", None)  # a record stays in its center's partition
        record = self.perform_update_record(record, data)
        return self._output(record)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        record = get_scoped_or_deny(request.user, self.model, "delete", uuid=kwargs["uuid"])
        self.perform_delete_record(record)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _schema(viewset: type[RecordViewSet]) -> type[RecordViewSet]:
    """Tell drf-spectacular which serializer each operation reads and writes: a list answers a page
    of list items, a create 201 with the detail, a delete 204 with nothing."""
    detail, write = viewset.detail_serializer, viewset.input_serializer
    return extend_schema_view(
        list=extend_schema(responses=viewset.list_serializer(many=True)),
        retrieve=extend_schema(responses=detail),
        create=extend_schema(request=write, responses={201: detail}),
        update=extend_schema(request=write, responses=detail),
        partial_update=extend_schema(request=write, responses=detail),
        destroy=extend_schema(responses={204: None}),
    )(viewset)


class GroupViewSet(RecordViewSet):
    model = m.GroupRegistration
    filterset_class = filters.GroupFilter
    input_serializer = s.GroupInput
    list_serializer = s.GroupListOutput
    detail_serializer = s.GroupDetailOutput

    def perform_create_record(self, data):
        consents = data.pop("consents", ())
        return services.group_register(acting_user=self.request.user, consents=consents, **data)

    def perform_update_record(self, record, data):
        data.pop("consents", None)
        return services.group_update(acting_user=self.request.user, group=record, **data)

    def perform_delete_record(self, record):
        services.group_delete(acting_user=self.request.user, group=record)

    @extend_schema(request=s.ConsentInput, responses=s.GroupDetailOutput)
    @action(detail=True, methods=["post"])
    def consents(self, request, uuid=None):
        """Record a consent given or withdrawn (ハブ掲載 / 事例での団体名 / 災害時連絡先)."""
        group = get_scoped_or_deny(request.user, self.model, "change", uuid=uuid)
        serializer = s.ConsentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = services.group_set_consent(acting_user=request.user, group=group, **serializer.validated_data)
        return self._output(group)

    @extend_schema(request=s.RenewInput, responses=s.GroupDetailOutput)
    @action(detail=True, methods=["post"])
    def renew(self, request, uuid=None):
        """The three-yearly registration renewal."""
        group = get_scoped_or_deny(request.user, self.model, "change", uuid=uuid)
        serializer = s.RenewInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._output(services.group_renew(acting_user=request.user, group=group, **serializer.validated_data))


    @extend_schema(request={"multipart/form-data": s.GroupImportInput}, responses=s.GroupImportOutput)
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request):
        """CSV import (UTF-8 or CP932): all rows or none. `dry_run=true` validates only."""
        serializer = s.GroupImportInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            result = csvio.import_groups(acting_user=request.user, center=data["center"], raw=data["file"].read(),
                                         commit=not data["dry_run"])
        except csvio.ImportRejected as rejected:
            return error_response("import_invalid", gettext("取り込めない行があります。何も登録していません。"),
                                  rows=[e.as_dict() for e in rejected.result.errors])
        return Response(
            {"encoding": result.encoding, "rows": len(result.rows), "created": result.created,
             "dry_run": data["dry_run"], "ignored_columns": result.ignored_columns},
            status=status.HTTP_200_OK if data["dry_run"] else status.HTTP_201_CREATED,
        )


class TalentViewSet(RecordViewSet):
    model = m.TalentVolunteer
    filterset_class = filters.TalentFilter
    input_serializer = s.TalentInput
    list_serializer = s.TalentListOutput
    detail_serializer = s.TalentDetailOutput

    def perform_create_record(self, data):
        return services.talent_register(acting_user=self.request.user, consents=data.pop("consents", ()), **data)

    def perform_update_record(self, record, data):
        data.pop("consents", None)  # given and withdrawn one by one, each with its time: POST …/consents/
        return services.talent_update(acting_user=self.request.user, talent=record, **data)

    @extend_schema(request=s.TalentConsentInput, responses=s.TalentDetailOutput)
    @action(detail=True, methods=["post"])
    def consents(self, request, uuid=None):
        """Record a consent given or withdrawn (公開検索への掲載 / ガイドブック掲載)."""
        talent = get_scoped_or_deny(request.user, self.model, "change", uuid=uuid)
        serializer = s.TalentConsentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        talent = services.talent_set_consent(acting_user=request.user, talent=talent, **serializer.validated_data)
        return self._output(talent)


class EventViewSet(RecordViewSet):
    model = m.Event
    filterset_class = filters.EventFilter
    input_serializer = s.EventInput
    list_serializer = s.EventOutput
    detail_serializer = s.EventDetailOutput

    def perform_create_record(self, data):
        return services.event_create(acting_user=self.request.user, **data)

    def perform_update_record(self, record, data):
        return services.event_update(acting_user=self.request.user, event=record, **data)


class ConsultationViewSet(RecordViewSet):
    model = m.Consultation
    filterset_class = filters.ConsultationFilter
    input_serializer = s.ConsultationInput
    list_serializer = s.ConsultationListOutput
    detail_serializer = s.ConsultationDetailOutput

    def perform_create_record(self, data):
        return services.consultation_open(acting_user=self.request.user, **data)

    def perform_update_record(self, record, data):
        return services.consultation_update(acting_user=self.request.user, consultation=record, **data)

    @extend_schema(request=s.AdvanceInput, responses=s.ConsultationDetailOutput)
    @action(detail=True, methods=["post"])
    def advance(self, request, uuid=None):
        """Move the card to its next step (インテーク → コーディネート → クロージング → 完了)."""
        consultation = get_scoped_or_deny(request.user, self.model, "change", uuid=uuid)
        serializer = s.AdvanceInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._output(services.consultation_advance(
            acting_user=request.user, consultation=consultation, **serializer.validated_data
        ))

    @extend_schema(request=AssignInput, responses=s.ConsultationDetailOutput)
    @action(detail=True, methods=["post"])
    def assign(self, request, uuid=None):
        """The chief coordinator decides which staff member handles the consultation (担当を決める)."""
        consultation = get_scoped_or_deny(request.user, self.model, "change", uuid=uuid)
        serializer = AssignInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assignee = get_user_model().objects.filter(username=data["assignee"]).first()
        return self._output(routing.consultation_assign(
            acting_user=request.user, consultation=consultation, assignee=assignee, kind=data.get("kind")))


class CaseViewSet(RecordViewSet):
    model = m.CollaborationCase
    filterset_class = filters.CaseFilter
    input_serializer = s.CaseInput
    list_serializer = s.CaseOutput
    detail_serializer = s.CaseOutput

    def perform_create_record(self, data):
        return services.case_create(acting_user=self.request.user, **data)

    def perform_update_record(self, record, data):
        return services.case_update(acting_user=self.request.user, case=record, **data)

    @extend_schema(parameters=[s.ShareQuery], responses=s.ShareOutput, methods=["GET"])
    @extend_schema(request=s.ShareInput, responses=s.ShareOutput, methods=["POST"])
    @action(detail=True, methods=["get", "post"])
    def share(self, request, uuid=None):
        """GET: exactly what the hub would receive at a level (preview). POST: choose the level."""
        if request.method == "GET":
            case = selectors.record_detail(user=request.user, model=self.model, uuid=uuid)
            serializer = s.ShareQuery(data=request.query_params)
            serializer.is_valid(raise_exception=True)
            level = serializer.validated_data.get("level") or case.sharing_level
        else:
            case = get_scoped_or_deny(request.user, self.model, "change", uuid=uuid)
            serializer = s.ShareInput(data=request.data)
            serializer.is_valid(raise_exception=True)
            case = services.case_set_sharing(acting_user=request.user, case=case, **serializer.validated_data)
            level = case.sharing_level
        share = sharing.case_share(case, level, actor=request.user)
        detailed = holds(request.user, m.CENTER_DELETE, case.center_id)  # center admins only: see share_document
        return Response(sharing.share_document(case, share, detailed=detailed))


def _limit(request) -> int:
    serializer = s.SuggestionQuery(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["limit"]


class NeedViewSet(RecordViewSet):
    model = m.Need
    filterset_class = filters.NeedFilter
    input_serializer = s.NeedInput
    list_serializer = s.NeedOutput
    detail_serializer = s.NeedOutput

    def perform_create_record(self, data):
        return services.need_create(acting_user=self.request.user, **data)

    def perform_update_record(self, record, data):
        return services.need_update(acting_user=self.request.user, need=record, **data)

    @extend_schema(parameters=[s.SuggestionQuery], responses=s.SuggestionPageOutput)
    @action(detail=True, methods=["get"])
    def suggestions(self, request, uuid=None):
        """Offers ranked for this need, each with its score, features and reasons (center staff)."""
        page = selectors.need_suggestions(user=request.user, uuid=uuid, limit=_limit(request))
        return Response(s.SuggestionPageOutput(page).data)


class OfferViewSet(RecordViewSet):
    model = m.Offer
    filterset_class = filters.OfferFilter
    input_serializer = s.OfferInput
    list_serializer = s.OfferOutput
    detail_serializer = s.OfferOutput

    def perform_create_record(self, data):
        return services.offer_create(acting_user=self.request.user, **data)

    def perform_update_record(self, record, data):
        return services.offer_update(acting_user=self.request.user, offer=record, **data)

    @extend_schema(parameters=[s.SuggestionQuery], responses=s.SuggestionPageOutput)
    @action(detail=True, methods=["get"])
    def suggestions(self, request, uuid=None):
        """Needs this offer could answer, ranked, with reasons (center staff)."""
        page = selectors.offer_suggestions(user=request.user, uuid=uuid, limit=_limit(request))
        return Response(s.SuggestionPageOutput(page).data)


@extend_schema(responses=s.DismissalOutput)
class DismissalViewSet(viewsets.GenericViewSet):
    """Suggestions staff set aside, with the reason the ranking learns from."""

    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"
    serializer_class = s.DismissalOutput

    def get_queryset(self):
        return selectors.record_list(user=self.request.user, model=m.SuggestionDismissal)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.DismissalOutput(page, many=True).data)

    def retrieve(self, request, uuid=None):
        return Response(s.DismissalOutput(self.get_queryset().get(uuid=uuid)).data)

    @extend_schema(request=s.DismissalInput, responses={201: s.DismissalOutput})
    def create(self, request):
        serializer = s.DismissalInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        dismissal = services.suggestion_dismiss(acting_user=request.user, **serializer.validated_data)
        return Response(s.DismissalOutput(self.get_queryset().get(pk=dismissal.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, uuid=None):
        dismissal = get_scoped_or_deny(request.user, m.SuggestionDismissal, "delete", uuid=uuid)
        services.suggestion_restore(acting_user=request.user, dismissal=dismissal)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(responses=s.MatchOutput)
class MatchViewSet(viewsets.GenericViewSet):
    """The coordination pipeline: 提案 → 事前打ち合わせ → 合意 → 協働事例, or 見送り."""

    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"
    serializer_class = s.MatchOutput
    filterset_class = filters.MatchFilter

    def get_queryset(self):
        return selectors.match_list(user=self.request.user).prefetch_related("meetings")

    def _output(self, match, http_status=status.HTTP_200_OK):
        return Response(s.MatchOutput(self.get_queryset().get(pk=match.pk)).data, status=http_status)

    def _changeable(self, uuid):
        return get_scoped_or_deny(self.request.user, m.Match, "change", uuid=uuid)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.MatchOutput(page, many=True).data)

    def retrieve(self, request, uuid=None):
        return Response(s.MatchOutput(self.get_queryset().get(uuid=uuid)).data)

    @extend_schema(request=s.MatchInput, responses={201: s.MatchOutput})
    def create(self, request):
        serializer = s.MatchInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        match = services.match_propose(acting_user=request.user, **serializer.validated_data)
        return self._output(match, status.HTTP_201_CREATED)

    @extend_schema(request=s.MeetingInput, responses={201: s.MatchOutput})
    @action(detail=True, methods=["post"])
    def meetings(self, request, uuid=None):
        """Record a 事前打ち合わせ (the first one moves a proposed match on)."""
        match = self._changeable(uuid)
        serializer = s.MeetingInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.match_record_meeting(acting_user=request.user, match=match, **serializer.validated_data)
        return self._output(match, status.HTTP_201_CREATED)

    @extend_schema(request=s.AgreeInput)
    @action(detail=True, methods=["post"])
    def agree(self, request, uuid=None):
        """The parties agreed, on this form of collaboration (委託 only with a legal entity)."""
        match = self._changeable(uuid)
        serializer = s.AgreeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._output(services.match_agree(acting_user=request.user, match=match, **serializer.validated_data))

    @extend_schema(request=None, responses={201: s.MatchOutput})
    @action(detail=True, methods=["post"])
    def case(self, request, uuid=None):
        """Create the collaboration case from the agreed match, pre-filled."""
        match = self._changeable(uuid)
        return self._output(services.match_create_case(acting_user=request.user, match=match), status.HTTP_201_CREATED)

    @extend_schema(request=s.DeclineInput)
    @action(detail=True, methods=["post"])
    def decline(self, request, uuid=None):
        """見送り, with the reason."""
        match = self._changeable(uuid)
        serializer = s.DeclineInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._output(services.match_decline(acting_user=request.user, match=match,
                                                   **serializer.validated_data))


class OrganizationViewSet(RecordViewSet):
    """The center's directory of partners (担当課, 自治会, 企業, 学校 …) and the center itself."""

    model = Organization
    filterset_class = filters.OrganizationFilter
    input_serializer = s.PartnerInput
    list_serializer = s.OrganizationOutput
    detail_serializer = s.OrganizationOutput

    def perform_create_record(self, data):
        return services.partner_create(acting_user=self.request.user, **data)

    def perform_update_record(self, record, data):
        return services.partner_update(acting_user=self.request.user, organization=record, **data)

    def perform_delete_record(self, record):
        services.partner_delete(acting_user=self.request.user, organization=record)


VIEWSETS = {
    "groups": GroupViewSet,
    "talents": TalentViewSet,
    "events": EventViewSet,
    "consultations": ConsultationViewSet,
    "cases": CaseViewSet,
    "needs": NeedViewSet,
    "offers": OfferViewSet,
    "organizations": OrganizationViewSet,
}
for _viewset in VIEWSETS.values():
    _schema(_viewset)

# Registered with explicit basenames (their prefixes are not plural-s nouns).
MATCHING_VIEWSETS = {
    "dismissals": (DismissalViewSet, "dismissal"),
    "matches": (MatchViewSet, "match"),
}

