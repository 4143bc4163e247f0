"""Which header carries each platform's delivery signature (no Django here)."""

from __future__ import annotations

from collections.abc import Mapping

from civildesk.platforms import linkedin, meta, x
from civildesk.platforms.common import header

HEADERS = {
    "x": x.SIGNATURE_HEADER,
    "facebook": meta.SIGNATURE_HEADER,
    "instagram": meta.SIGNATURE_HEADER,
    "linkedin": linkedin.SIGNATURE_HEADER,
}


def present(platform: str, headers: Mapping[str, str]) -> bool:
    return bool(header(headers, HEADERS[platform]))
