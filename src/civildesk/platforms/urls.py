from __future__ import annotations

from django.urls import path

from civildesk.platforms import views

urlpatterns = [
    path("platforms/webhooks/<str:key>/", views.webhook, name="platform-webhook"),
]
