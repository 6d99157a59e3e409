"""API input of consultation routing (相談の振り分け): the chief coordinator's assignment."""

from __future__ import annotations

from rest_framework import serializers

from nodes import models as m


class AssignInput(serializers.Serializer):
    """The chief's decision: the staff member (by username) and, optionally, the consultation's kind."""

    assignee = serializers.CharField(max_length=150)
    kind = serializers.ChoiceField(choices=m.ConsultationKind.choices, required=False)
