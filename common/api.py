"""API conventions shared by hub and node: pagination and errors as {"error": {code, message, fields}}."""

from __future__ import annotations

import logging

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError as DjangoValidationError,
)
from django.http import Http404, JsonResponse
from django.utils.translation import gettext
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _codes(detail):
    """DRF error details → {"field": [{"code", "message"}]} keeping each message's code."""
    if isinstance(detail, dict):
        return {key: _codes(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat = []
        for item in detail:
            converted = _codes(item)
            flat.extend(converted if isinstance(converted, list) else [converted])
        return flat
    return {"code": getattr(detail, "code", "invalid"), "message": str(detail)}


def django_validation_error_to_drf(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError keeps its field names and codes in the API response."""
    if hasattr(error, "error_dict"):
        detail = {
            field: [exceptions.ErrorDetail(message, code=e.code or "invalid")
                    for e in errors for message in e.messages]
            for field, errors in error.error_dict.items()
        }
        detail = {("non_field_errors" if k == "__all__" else k): v for k, v in detail.items()}
    else:
        detail = {"non_field_errors": [exceptions.ErrorDetail(m, code=e.code or "invalid")
                                       for e in error.error_list for m in e.messages]}
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_to_drf(exc)
    elif isinstance(exc, ObjectDoesNotExist | Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {"error": {"code": "invalid", "message": gettext("入力内容に誤りがあります。"), "fields": _codes(exc.detail)}}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if not isinstance(code, str):
            code = "error"
        body = {"error": {"code": code, "message": str(detail)}}
    response.data = body
    return response


def error_response(code: str, message: str, http_status: int = status.HTTP_400_BAD_REQUEST, **extra) -> Response:
    return Response({"error": {"code": code, "message": message, **extra}}, status=http_status)


def not_found(request, exception=None):
    """Django's 404 for an unmatched URL: under /api/ the API's error envelope (a client — or the
    schema — expects JSON there, e.g. for a malformed uuid in the path), elsewhere the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "not_found", "message": "見つかりませんでした。"}}, status=404)
    return defaults.page_not_found(request, exception)
