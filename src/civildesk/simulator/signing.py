"""How each platform signs what it sends, written out afresh (not imported from the
connectors), so a mistake in a connector's check cannot be mirrored here and pass unnoticed."""

from __future__ import annotations

import base64
import hashlib
import hmac


def _mac(secret: str, data: bytes) -> bytes:
    return hmac.new(secret.encode(), data, hashlib.sha256).digest()


def signature_headers(platform: str, secret: str, body: bytes) -> dict[str, str]:
    if platform == "x":
        return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(_mac(secret, body)).decode()}
    if platform in ("facebook", "instagram"):
        return {"X-Hub-Signature-256": "sha256=" + _mac(secret, body).hex()}
    if platform == "linkedin":
        return {"X-LI-Signature": _mac(secret, b"hmacsha256=" + body).hex()}
    raise ValueError(f"unknown platform {platform!r}")


def expected_crc(secret: str, token: str) -> str:
    return "sha256=" + base64.b64encode(_mac(secret, token.encode())).decode()


def expected_challenge(secret: str, code: str) -> str:
    return _mac(secret, code.encode()).hex()
