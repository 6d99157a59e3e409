"""The OpenAPI schema as the API behaves: every operation also documents the errors it answers with,
in the one error envelope of common.api (drf-spectacular documents only the success by default, so
a client — or a fuzzer — reading the schema would take every 4xx for a contract breach)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorBody(serializers.Serializer):
    code = serializers.CharField(help_text="machine-readable, e.g. invalid, not_found, permission_denied")
    message = serializers.CharField(help_text="for people (Japanese)")
    # Validation errors: field → [{"code", "message"}] (nested for nested fields).
    fields = serializers.DictField(required=False)


class Error(serializers.Serializer):
    error = ErrorBody()


class ApiSchema(AutoSchema):
    """400 (bad input), 401 (no or bad credentials), 403 (not allowed), 404 (no such record, or a page
    beyond the last), 415 (a body in an unsupported format), 429 (throttled): each where it can happen."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            responses.setdefault(code, self._get_response_for_code(Error, code, direction=direction))
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["400", "404"]
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            codes += ["401", "403"]
        elif self.view.get_authenticators():
            codes.append("401")  # a bad token is refused even where no login is needed
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        # DRF throttles, or a view's own limit (the token endpoint's login_limits) declared by
        # `rate_limited = True`.
        if self.view.get_throttles() or getattr(self.view, "rate_limited", False):
            codes.append("429")
        return codes
