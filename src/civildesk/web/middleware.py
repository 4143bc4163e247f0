"""A strict Content-Security-Policy: scripts and styles only from the desk itself.

Escaping is what keeps attacker-written message text inert; the CSP is the second wall, so a
template mistake still cannot run a script from a message or load anything from another site.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


def _policy(style_src: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {style_src}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# The desk's own pages need nothing inline: no script and no style (htmx's indicator styles are
# off in base.html, the NHS.UK frontend sets styles through the CSSOM, which CSP allows).
CSP = _policy("'self'")
# One place still needs inline styles, and only there are they allowed (scripts never are):
# Django's admin (5.2) writes a few style attributes. The weekly report's charts are SVG files of
# their own, loaded through <img>, so their style attributes need nothing from the page's policy.
INLINE_STYLE_CSP = _policy("'self' 'unsafe-inline'")
INLINE_STYLE_PREFIXES = ("/admin/",)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = INLINE_STYLE_CSP if request.path.startswith(INLINE_STYLE_PREFIXES) else CSP
        response.setdefault("Content-Security-Policy", policy)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
