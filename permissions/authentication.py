"""API tokens that end: after KYODO_API_TOKEN_DAYS, or earlier when the account's reason to exist
has ended (a study-tour visitor after the reading period: the hub registers that rule)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

# Rules an app adds (in its AppConfig.ready): user → True while the account may still use the API.
_account_rules: list[Callable[[object], bool]] = []


def account_rule(rule: Callable[[object], bool]) -> None:
    if rule not in _account_rules:
        _account_rules.append(rule)


def token_expired(token: Token, now: dt.datetime | None = None) -> bool:
    return token.created <= (now or timezone.now()) - dt.timedelta(days=settings.KYODO_API_TOKEN_DAYS)


def fresh_token(user) -> Token:
    """The user's token, replaced by a new one once the old one expired."""
    token, _created = Token.objects.get_or_create(user=user)
    if token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                _("トークンの有効期限が切れました。もう一度取得してください。"), code="token_expired")
        if not all(rule(user) for rule in _account_rules):
            raise exceptions.AuthenticationFailed(_("このアカウントの利用期間は終了しました。"), code="account_ended")
        return user, token
