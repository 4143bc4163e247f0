from __future__ import annotations

from django.urls import path

from civildesk.mailbox import views

urlpatterns = [
    path("mailbox/", views.mailbox_view, name="mailbox"),
    path("mailbox/<int:pk>/link/", views.link_view, name="mailbox-link"),
    path("mailbox/<int:pk>/dismiss/", views.dismiss_view, name="mailbox-dismiss"),
]
