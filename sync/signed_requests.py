"""The guard of every signed endpoint (node → hub, and the hub's pokes to a node): refuse an
oversized body before reading it, verify digest, time window and signature (sync.signing), accept
each nonce once; errors as {"error": {"code", "message"}}.

The endpoints differ only in where the signer's public key comes from and where nonces are kept,
so both are parameters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .signing import SignatureError, VerifiedSignature, verify_request


def error_json(code: str, message: str, status: int, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def signed_request(*, public_key_for: Callable[[str], bytes | None],
                   accept_nonce: Callable[[VerifiedSignature], object | None], max_body: int,
                   too_large: tuple[str, str], logger: logging.Logger, what: str = "signed request"):
    """A view decorator: the view is called as view(request, signer, *args, **kwargs).

    public_key_for(key_id): the raw public key of an active signer, or None.
    accept_nonce(verified): records the nonce and returns the signer the view receives, or None
        when the nonce was seen before (a replay: 409).
    max_body, too_large: a declared body longer than max_body is refused with 413 and this
        (code, message), before the body is read.
    logger, what: refused signatures are logged there as "<what> refused: <code>".
    """

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if declared_length(request) > max_body:
                return error_json(*too_large, 413)
            try:
                verified = verify_request(method=request.method, url=request.build_absolute_uri(),
                                          headers=request.headers, body=request.body, public_key_for=public_key_for)
            except SignatureError as error:
                logger.warning("%s refused: %s", what, error.code)
                return error_json(error.code, str(error), 401)
            signer = accept_nonce(verified)
            if signer is None:
                return error_json("replayed_nonce", "this signature's nonce was already used", 409)
            return view(request, signer, *args, **kwargs)

        return wrapper

    return decorator
