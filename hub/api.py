"""The hub's REST API for coordinators: disaster contacts, readable only under a valid grant."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import error_response
from permissions.models import HubScope

from .models import DisasterContactCopy, DisasterDeclaration
from .selectors.access import can
from .selectors.contacts import disaster_contacts


class DisasterContactsApi(APIView):
    """GET the declaration's disaster contacts. 403 `permission_denied` without hub access,
    403 `scope_required` without the scope 災害対応の調整, 403 `grant_required` without an approved, unexpired grant; every call is audited."""

    class Output(serializers.ModelSerializer):
        uuid = serializers.UUIDField(source="entity_uuid")
        center = serializers.CharField(source="center.name")

        class Meta:
            model = DisasterContactCopy
            fields = ["uuid", "center", "group_name", "contact_name", "phone", "email", "shared_at"]

    @extend_schema(responses={200: inline_serializer("DisasterContactsAnswer", {
        "grant": inline_serializer("DisasterContactsGrant", {"uuid": serializers.UUIDField(),
                                                            "ends_at": serializers.DateTimeField()}),
        "contacts": Output(many=True)})})
    def get(self, request, uuid):
        if not can(request.user, "view_hub"):
            return error_response("permission_denied", gettext("ハブの閲覧権限がありません。"), 403)
        if not can(request.user, HubScope.DISASTER_COORDINATION):
            return error_response("scope_required", gettext("災害対応の調整の範囲がありません。運営団体のハブ管理者に付与を依頼してください。"),
                                  403, scope=HubScope.DISASTER_COORDINATION.value)
        declaration = get_object_or_404(DisasterDeclaration, uuid=uuid)
        grant, contacts = disaster_contacts(user=request.user, declaration=declaration, purpose="api")
        if grant is None:
            return error_response("grant_required", gettext("連絡先の閲覧には承認された閲覧許可が必要です。"), 403)
        return Response({"grant": {"uuid": str(grant.uuid), "ends_at": grant.ends_at.isoformat()},
                         "contacts": self.Output(contacts, many=True).data})
