"""The idle session timeout: a signed-in session's expiry moves forward while its user is active."""

from __future__ import annotations

import time

# Renewing writes the session row: doing it at most once a minute keeps a page full of htmx
# requests from writing the session (and, on SQLite, taking the write lock) on every request.
RENEW_AFTER_SECONDS = 60
_RENEWED_AT = "_kyodo_renewed_at"


class SessionIdleTimeoutMiddleware:
    """SESSION_COOKIE_AGE is the idle limit: a session not renewed within it expires, server-side
    (the row's expire_date) and in the browser (the cookie's Max-Age), whichever comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and getattr(request, "user", None) is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get(_RENEWED_AT, 0) >= RENEW_AFTER_SECONDS:
                # Modifying the session makes SessionMiddleware save it with a fresh expiry and
                # send the cookie again with a fresh Max-Age.
                session[_RENEWED_AT] = now
        return self.get_response(request)
