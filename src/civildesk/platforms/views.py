"""Webhook endpoints: one unguessable URL per connected account.

GET answers the platform's subscription check. POST verifies the signature over the raw body
before anything else: a missing signature is 401, a wrong one 403, and neither stores a byte.
A valid delivery is stored and queued, and answered 200 at once (Meta wants an answer within
20 s, X within 10 s, LinkedIn within 3 s); parsing and ingestion happen in the worker.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from civildesk.inbox.connectors import ConnectorError
from civildesk.platforms import services, signatures
from civildesk.platforms.crypto import CredentialsUnreadable
from civildesk.platforms.models import PlatformAccount


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
            return HttpResponse("signature missing", status=401, content_type="text/plain")
        if not connector.verify_signature(headers, raw):
            return HttpResponse("signature invalid", status=403, content_type="text/plain")
        services.do_receive_delivery(account, raw, headers)
        return HttpResponse("ok", status=200, content_type="text/plain")
    finally:
        connector.close()
