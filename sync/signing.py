"""HTTP Message Signatures (RFC 9421) with Ed25519, for node ⇄ hub requests.

Covered components: "@method", "@authority", "@target-uri" and "content-digest" (RFC 9530,
sha-256 over the body as sent). Parameters: created, expires (at most 300 s later), a random
nonce the hub stores under a unique constraint, keyid and alg="ed25519". Only this one profile
is produced and accepted, so the parser is strict rather than general.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

COMPONENTS = ("@method", "@authority", "@target-uri", "content-digest")
LABEL = "sig1"
MAX_VALIDITY = 300  # seconds between created and expires
CLOCK_SKEW = 30  # seconds a signer's clock may run ahead of ours


class SignatureError(Exception):
    """A request whose signature cannot be accepted; `code` is machine-readable."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class VerifiedSignature:
    key_id: str
    nonce: str
    created: int
    expires: int


def content_digest(body: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


def fingerprint(public_key: bytes) -> str:
    """SHA-256 of the raw public key, as colon-separated hex pairs (shown to admins to compare)."""
    digest = hashlib.sha256(public_key).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def new_key_pair() -> tuple[bytes, bytes]:
    """(private seed, public key), 32 bytes each."""
    signing_key = SigningKey.generate()
    return bytes(signing_key), bytes(signing_key.verify_key)


def _params(created: int, expires: int, nonce: str, key_id: str) -> str:
    inner = " ".join(f'"{c}"' for c in COMPONENTS)
    return f'({inner});created={created};expires={expires};nonce="{nonce}";keyid="{key_id}";alg="ed25519"'


def _authority(url: str) -> str:
    parts = urlsplit(url)
    return (parts.netloc or "").lower()


def signature_base(*, method: str, url: str, digest: str, params: str) -> bytes:
    lines = [
        f'"@method": {method.upper()}',
        f'"@authority": {_authority(url)}',
        f'"@target-uri": {url}',
        f'"content-digest": {digest}',
        f'"@signature-params": {params}',
    ]
    return "\n".join(lines).encode()


def sign_request(*, method: str, url: str, body: bytes, key_id: str, private_key: bytes,
                 now: int | None = None, validity: int = MAX_VALIDITY) -> dict[str, str]:
    """The headers that make `method url` with `body` verifiable by the holder of the public key."""
    created = int(now if now is not None else time.time())
    digest = content_digest(body)
    params = _params(created, created + min(validity, MAX_VALIDITY), secrets.token_urlsafe(18), key_id)
    base = signature_base(method=method, url=url, digest=digest, params=params)
    signature = SigningKey(private_key).sign(base).signature
    return {
        "Content-Digest": digest,
        "Signature-Input": f"{LABEL}={params}",
        "Signature": f"{LABEL}=:{base64.b64encode(signature).decode()}:",
    }


_INPUT = re.compile(
    r'^sig1=\("@method" "@authority" "@target-uri" "content-digest"\)'
    r';created=(?P<created>\d{1,12});expires=(?P<expires>\d{1,12})'
    r';nonce="(?P<nonce>[A-Za-z0-9_\-]{16,64})";keyid="(?P<keyid>[A-Za-z0-9_\-:.]{1,100})";alg="ed25519"$'
)
_SIGNATURE = re.compile(r"^sig1=:(?P<value>[A-Za-z0-9+/=]{80,100}):$")


def verify_request(*, method: str, url: str, headers, body: bytes, public_key_for, now: int | None = None
                   ) -> VerifiedSignature:
    """Check digest, time window and signature; `public_key_for(key_id)` returns the raw public key
    or None. The caller still has to record the nonce (once) and check what the key may do."""
    now = int(now if now is not None else time.time())
    digest = headers.get("Content-Digest", "")
    if not hmac.compare_digest(digest, content_digest(body)):
        raise SignatureError("digest_mismatch", "Content-Digest does not match the body")
    match = _INPUT.match(headers.get("Signature-Input", ""))
    if not match:
        raise SignatureError("signature_input_invalid", "Signature-Input is missing or not the Kyodo profile")
    created, expires = int(match["created"]), int(match["expires"])
    if expires <= created or expires - created > MAX_VALIDITY:
        raise SignatureError("signature_window_invalid", f"expires must be within {MAX_VALIDITY} s of created")
    if created > now + CLOCK_SKEW:
        raise SignatureError("signature_from_future", "created lies in the future")
    if now > expires:
        raise SignatureError("signature_expired", "the signature has expired")
    signature = _SIGNATURE.match(headers.get("Signature", ""))
    if not signature:
        raise SignatureError("signature_missing", "Signature header is missing or malformed")
    public_key = public_key_for(match["keyid"])
    if public_key is None:
        raise SignatureError("unknown_key", "no active key with this keyid")
    params = headers["Signature-Input"].split("=", 1)[1]
    base = signature_base(method=method, url=url, digest=digest, params=params)
    try:
        VerifyKey(public_key).verify(base, base64.b64decode(signature["value"]))
    except (BadSignatureError, ValueError) as error:
        raise SignatureError("bad_signature", "the signature does not verify") from error
    return VerifiedSignature(key_id=match["keyid"], nonce=match["nonce"], created=created, expires=expires)
