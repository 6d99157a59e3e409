"""Abuse limits on signing in (/login/ and the API token endpoint): per client address and per account.

Counters live in the shared cache (Redis in production, files under DATA_DIR in the embedded
default), so every web worker sees the same counts. Two limits:

- an address may try KYODO_LOGIN_ATTEMPTS_PER_ADDRESS times per minute (a fixed window), whatever
  the accounts and outcomes;
- an account that fails KYODO_LOGIN_FAILURES_PER_ACCOUNT times within KYODO_LOGIN_LOCKOUT_SECONDS
  is locked for KYODO_LOGIN_LOCKOUT_SECONDS, from any address; a success clears its failures.

The address is the TCP peer, or the header our own proxy sets (KYODO_CLIENT_IP_HEADER, e.g.
X-Real-IP from nginx's $remote_addr) — never X-Forwarded-For, which the client writes itself.
Every refusal, lockout and failed attempt is audited without personal values: no address, and the
account only as a keyed hash (the same account gives the same hash, so attempts can be related).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from .audit import audit_record

ADDRESS_WINDOW = 60  # seconds
_PREFIX = "kyodo:login-limits"


@dataclass(frozen=True)
class Refusal:
    scope: str  # "address" or "account"
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return gettext("ログインの試行が多すぎるため、一時的にログインを止めています。"
                       "約%(minutes)s分後にもう一度お試しください。") % {"minutes": minutes}


def client_address(request) -> str:
    header = settings.KYODO_CLIENT_IP_HEADER
    if header:
        value = request.headers.get(header, "").strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def account_hash(username: str) -> str:
    # Keyed, so the audit log cannot be turned back into usernames by hashing a list of them.
    return salted_hmac("kyodo.login_limits.account", username.strip()).hexdigest()[:16]


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this is the window's first attempt
        cache.set(key, 1, timeout=timeout)
        return 1


def _address_key(address: str, window: int) -> str:
    return f"{_PREFIX}:address:{salted_hmac('kyodo.login_limits.address', address).hexdigest()[:32]}:{window}"


def attempt_check(request, *, username: str, endpoint: str) -> Refusal | None:
    """Count this attempt against its address and say whether it may proceed; a refusal is audited.

    Called before the password is checked: a refused attempt learns nothing about the password."""
    now = time.time()
    window = int(now // ADDRESS_WINDOW)
    attempts = _incr(_address_key(client_address(request), window), ADDRESS_WINDOW * 2)
    refusal = None
    if attempts > settings.KYODO_LOGIN_ATTEMPTS_PER_ADDRESS:
        refusal = Refusal("address", max(1, math.ceil((window + 1) * ADDRESS_WINDOW - now)))
    elif username:
        locked_until = cache.get(f"{_PREFIX}:locked:{account_hash(username)}")
        if locked_until is not None and locked_until > now:
            refusal = Refusal("account", max(1, math.ceil(locked_until - now)))
    if refusal is not None:
        detail = {"endpoint": endpoint, "limit": refusal.scope}
        if username:
            detail["account"] = account_hash(username)
        audit_record(actor=None, action="auth.login_refused", detail=detail)
    return refusal


def failure_record(*, username: str, endpoint: str) -> None:
    """A wrong username or password: audited, and counted against the account (locked at the limit)."""
    detail = {"endpoint": endpoint}
    if username:
        detail["account"] = account_hash(username)
    audit_record(actor=None, action="auth.login_failed", detail=detail)
    if not username:
        return
    hashed = account_hash(username)
    lockout = settings.KYODO_LOGIN_LOCKOUT_SECONDS
    failures = _incr(f"{_PREFIX}:failures:{hashed}", lockout)
    if failures >= settings.KYODO_LOGIN_FAILURES_PER_ACCOUNT:
        # add: the lock runs from the failure that reached the limit; later failures do not extend it.
        if cache.add(f"{_PREFIX}:locked:{hashed}", time.time() + lockout, timeout=lockout):
            cache.delete(f"{_PREFIX}:failures:{hashed}")
            audit_record(actor=None, action="auth.login_locked",
                         detail={"endpoint": endpoint, "account": hashed, "seconds": lockout})


def success_record(*, username: str) -> None:
    cache.delete(f"{_PREFIX}:failures:{account_hash(username)}")


def account_unlock(*, username: str, acting_user=None) -> bool:
    """Lift an account's lock and forget its failures (an operator's call); whether it was locked."""
    hashed = account_hash(username)
    was_locked = cache.get(f"{_PREFIX}:locked:{hashed}") is not None
    cache.delete_many([f"{_PREFIX}:locked:{hashed}", f"{_PREFIX}:failures:{hashed}"])
    audit_record(actor=acting_user, action="auth.login_unlocked", detail={"account": hashed, "was_locked": was_locked})
    return was_locked
