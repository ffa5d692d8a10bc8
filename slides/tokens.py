"""Signed, expiring tile tokens: access control without a query per tile.

See docs/tiles.md ("Access tokens").

A token binds one slide id, one slide version and an expiry time::

    token = base36(expiry) "." base64url(HMAC-SHA256(key, "{slide_id}:{version}:{expiry}")[:18])
    key   = SHA256("scopecast.slides.tokens" + SECRET_KEY)

The key derivation is documented so that an nginx/njs fast path can check
tokens too. Expiries are rounded up to a step, so everyone who opens a slide
within the same step gets the same token, hence the same tile URLs, and the
browser cache keeps working across reloads. ``SECRET_KEY_FALLBACKS`` are
accepted while rotating the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings

_SALT = b"scopecast.slides.tokens"
_SIG_BYTES = 18
MAX_TOKEN_LENGTH = 64


class TokenError(Exception):
    """Why a token was refused; the message is safe to show to the client."""


@dataclass(frozen=True, slots=True)
class _Keys:
    secrets: tuple[str, ...]
    keys: tuple[bytes, ...]


_keys_cache: _Keys | None = None


def _signing_keys() -> tuple[bytes, ...]:
    global _keys_cache
    secrets = (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    cached = _keys_cache
    if cached is None or cached.secrets != secrets:
        keys = tuple(hashlib.sha256(_SALT + s.encode()).digest() for s in secrets)
        cached = _keys_cache = _Keys(secrets, keys)
    return cached.keys


def _signature(key: bytes, slide_id: int, version: int, expiry: int) -> str:
    mac = hmac.new(key, f"{slide_id}:{version}:{expiry}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:_SIG_BYTES]).decode()


def _step(ttl: int) -> int:
    return max(60, ttl // 8)


def token_expiry(now: float | None = None) -> int:
    """The expiry a token issued now gets: at least TILE_TOKEN_TTL away."""
    ttl = settings.TILE_TOKEN_TTL
    step = _step(ttl)
    t = int(time.time() if now is None else now) + ttl
    return -(-t // step) * step


def issue_tile_token(slide_id: int, version: int, *, now: float | None = None) -> str:
    expiry = token_expiry(now)
    sig = _signature(_signing_keys()[0], slide_id, version, expiry)
    return f"{_to_base36(expiry)}.{sig}"


def check_tile_token(
    slide_id: int, version: int, token: str | None, *, now: float | None = None
) -> None:
    """Raise TokenError unless ``token`` grants this slide version right now."""
    if not token:
        raise TokenError("missing tile token (t=...): fetch the slide's info.json again")
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise TokenError("malformed tile token")
    exp_text, sig = token.split(".")
    try:
        expiry = int(exp_text, 36)
    except ValueError:
        raise TokenError("malformed tile token") from None
    valid = any(
        hmac.compare_digest(sig, _signature(key, slide_id, version, expiry))
        for key in _signing_keys()
    )
    if not valid:
        raise TokenError("tile token does not match this slide and version")
    if expiry <= (time.time() if now is None else now):
        raise TokenError("tile token expired: fetch the slide's info.json again")


def token_expires_at(token: str) -> int:
    """The expiry (unix seconds) written in a token issued by this module."""
    return int(token.split(".")[0], 36)


def _to_base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out
