from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path

from civildesk.api.api import PROBLEM, api


def not_found(request: HttpRequest) -> HttpResponse:
    """Anything under /api/ that is not an endpoint: a problem-details 404, not an HTML page."""
    body = {"type": "about:blank", "title": "Not found", "status": 404, "detail": "No such API endpoint."}
    return HttpResponse(json.dumps(body), status=404, content_type=PROBLEM)


urlpatterns = [path("", api.urls), re_path(r"^.*$", not_found)]
