"""Platform credentials encrypted at rest (Fernet: AES-128-CBC with HMAC-SHA256, from the
maintained ``cryptography`` package).

Keys come from the setting CIVILDESK_CREDENTIALS_KEYS, built by ``credentials_keys`` from the
environment: ``CIVILDESK_CREDENTIALS_KEY`` holds one or more Fernet keys separated by commas,
newest first (older keys still decrypt, so a key can be rotated without losing accounts).
Outside production an unset key is derived from the secret key, so a laptop needs no setup; in
production it is required, because rotating the session secret must not lose every credential.
No Django here: settings.py calls it at start-up, so a bad key fails there with a sentence.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class CredentialsKeyError(ValueError):
    """CIVILDESK_CREDENTIALS_KEY is missing (in production) or not a Fernet key."""


class CredentialsUnreadable(ValueError):
    """Stored credentials do not decrypt with any configured key (the key was changed)."""


def derived_key(secret_key: str) -> str:
    digest = hashlib.sha256(b"civildesk platform credentials\x00" + secret_key.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def credentials_keys(env: Mapping[str, str], secret_key: str, *, production: bool) -> tuple[str, ...]:
    raw = env.get("CIVILDESK_CREDENTIALS_KEY", "").strip()
    keys = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not keys:
        if production:
            raise CredentialsKeyError(
                "production needs CIVILDESK_CREDENTIALS_KEY (make one with: python -c "
                '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")'
            )
        return (derived_key(secret_key),)
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError as exc:
            raise CredentialsKeyError(
                f"CIVILDESK_CREDENTIALS_KEY key {number} is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from exc
    return keys


def _fernet(keys: Sequence[str]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(values: Mapping[str, str], keys: Sequence[str]) -> str:
    return _fernet(keys).encrypt(json.dumps(dict(values), sort_keys=True).encode("utf-8")).decode("ascii")


def decrypt(token: str, keys: Sequence[str]) -> dict[str, str]:
    if not token:
        return {}
    try:
        plain = _fernet(keys).decrypt(token.encode("ascii"))
    except InvalidToken as exc:
        raise CredentialsUnreadable(
            "the stored credentials do not decrypt with CIVILDESK_CREDENTIALS_KEY"
        ) from exc
    data = json.loads(plain)
    return {str(k): str(v) for k, v in data.items()}
