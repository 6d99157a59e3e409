"""Signing in, limited: the staff login page and the API token endpoint (permissions.login_limits)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from rest_framework import exceptions
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from permissions import login_limits
from permissions.authentication import fresh_token


class LoginView(auth_views.LoginView):
    template_name = "login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        refusal = login_limits.attempt_check(request, username=username, endpoint="login")
        if refusal is not None:
            # The form is not even bound: a refused attempt checks no password.
            response = self.render_to_response(self.get_context_data(refusal=refusal.message), status=429)
            response["Retry-After"] = str(refusal.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        login_limits.success_record(username=form.get_user().get_username())
        return super().form_valid(form)

    def form_invalid(self, form):
        login_limits.failure_record(username=self.request.POST.get("username", ""), endpoint="login")
        return super().form_invalid(form)


class TokenView(ObtainAuthToken):
    """POST username and password, receive a token for `Authorization: Token …` (a new one once the
    old one expired)."""

    throttle_classes = []  # login_limits instead: DRF's throttles key on X-Forwarded-For
    rate_limited = True  # so the schema documents the 429 login_limits answers with

    def post(self, request, *args, **kwargs):
        username = request.data.get("username", "") if hasattr(request.data, "get") else ""
        username = username if isinstance(username, str) else ""
        refusal = login_limits.attempt_check(request, username=username, endpoint="token")
        if refusal is not None:
            # DRF answers 429 with Retry-After and {"error": {"code": "throttled", …}}; `wait` is set
            # apart so that DRF appends no English sentence to the message.
            throttled = exceptions.Throttled(detail=refusal.message)
            throttled.wait = refusal.retry_after
            raise throttled
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            login_limits.failure_record(username=username, endpoint="token")
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        login_limits.success_record(username=user.get_username())
        # A new token once the old one expired (KYODO_API_TOKEN_DAYS).
        return Response({"token": fresh_token(user).key})
