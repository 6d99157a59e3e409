"""/api/v1/bookings/: meeting-space bookings for staff and groups' members (the same services as the
UI; a refusal comes back as {"error": {code, message, fields}} with the service's code, e.g. booking_overlap)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from permissions.models import Organization
from permissions.scoping import get_scoped_or_deny

from .. import models as m, services, spaces_selectors as selectors


class BookingInput(serializers.Serializer):
    room = serializers.SlugRelatedField(slug_field="uuid", queryset=m.Room.objects.all())
    organization = serializers.SlugRelatedField(slug_field="uuid", queryset=Organization.objects.all())
    purpose = serializers.CharField(max_length=200)
    attendees = serializers.IntegerField(min_value=1, max_value=999)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class NoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BookingOutput(serializers.ModelSerializer):
    room = serializers.CharField(source="room.name")
    organization = serializers.CharField(source="organization.name")

    class Meta:
        model = m.Booking
        fields = ("uuid", "number", "room", "organization", "purpose", "attendees", "starts_at", "ends_at", "status",
                  "decision_note", "created_at")


@extend_schema(responses=BookingOutput)
class BookingViewSet(viewsets.GenericViewSet):
    """スペースの予約: staff's bookings are approved at once; a group's request waits for staff."""

    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"
    serializer_class = BookingOutput

    def get_queryset(self):
        return selectors.visible_bookings(user=self.request.user).order_by("starts_at", "pk")

    def _output(self, booking, http_status=status.HTTP_200_OK):
        return Response(BookingOutput(self.get_queryset().get(pk=booking.pk)).data, status=http_status)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(BookingOutput(page, many=True).data)

    def retrieve(self, request, uuid=None):
        return Response(BookingOutput(self.get_queryset().get(uuid=uuid)).data)

    @extend_schema(request=BookingInput, responses={201: BookingOutput})
    def create(self, request):
        serializer = BookingInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = services.booking_request(acting_user=request.user, **serializer.validated_data)
        return self._output(booking, status.HTTP_201_CREATED)

    def _decide(self, request, uuid, decide):
        booking = get_scoped_or_deny(request.user, m.Booking, "view", uuid=uuid)
        serializer = NoteInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._output(decide(acting_user=request.user, booking=booking, note=serializer.validated_data["note"]))

    @extend_schema(request=NoteInput)
    @action(detail=True, methods=["post"])
    def approve(self, request, uuid=None):
        return self._decide(request, uuid, services.booking_approve)

    @extend_schema(request=NoteInput)
    @action(detail=True, methods=["post"])
    def reject(self, request, uuid=None):
        """お断り, with the reason the group reads."""
        return self._decide(request, uuid, services.booking_reject)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, uuid=None):
        """取消: the group until the room's deadline, staff always."""
        booking = get_scoped_or_deny(request.user, m.Booking, "change", uuid=uuid)
        return self._output(services.booking_cancel(acting_user=request.user, booking=booking))
