"""Webhook endpoints: one unguessable URL per connected account.

GET answers the platform's subscription check. POST verifies the signature over the raw body
before anything else: a missing signature is 401, a wrong one 403, and neither stores a byte.
A signed body that is not a JSON object is 400 (no platform sends one). Each refusal is counted
for ``civildesk_webhook_rejections_total`` (``services.do_count_rejection``).
A valid delivery is stored and queued, and answered 200 at once (Meta wants an answer within
20 s, X within 10 s, LinkedIn within 3 s); parsing and ingestion happen in the worker.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from civildesk.inbox.connectors import ConnectorError
from civildesk.platforms import services, signatures
from civildesk.platforms.crypto import CredentialsUnreadable
from civildesk.platforms.models import PlatformAccount, WebhookRejection

Reason = WebhookRejection.Reason


@csrf_exempt  # the platforms cannot send a CSRF token; the HMAC signature is the proof
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, key: str) -> HttpResponse:
    account = PlatformAccount.objects.filter(webhook_key=key, active=True).first()
    if account is None or not account.has_credentials:
        raise Http404("no such webhook")
    try:
        connector = services.build_connector(account)
    except (ConnectorError, CredentialsUnreadable):
        return HttpResponse("account credentials unusable", status=503, content_type="text/plain")
    try:
        if request.method == "GET":
            status, content_type, body = connector.handshake(request.GET.dict())
            return HttpResponse(body, status=status, content_type=content_type)
        raw = request.body
        headers = dict(request.headers)
        if not signatures.present(account.platform, headers):
            return _refuse(account, Reason.SIGNATURE_MISSING, 401, "signature missing")
        if not connector.verify_signature(headers, raw):
            return _refuse(account, Reason.SIGNATURE_INVALID, 403, "signature invalid")
        if not _is_json_object(raw):
            return _refuse(account, Reason.MALFORMED, 400, "body is not a JSON object")
        services.do_receive_delivery(account, raw, headers)
        return HttpResponse("ok", status=200, content_type="text/plain")
    finally:
        connector.close()


def _refuse(
    account: PlatformAccount, reason: WebhookRejection.Reason, status: int, text: str
) -> HttpResponse:
    services.do_count_rejection(account, reason)
    return HttpResponse(text, status=status, content_type="text/plain")


def _is_json_object(raw: bytes) -> bool:
    # Only the shape is checked here (cheap); reading the events is the worker's job.
    try:
        return isinstance(json.loads(raw), dict)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deeply
        return False
