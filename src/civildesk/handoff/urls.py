from __future__ import annotations

from django.urls import path

from civildesk.handoff import views

urlpatterns = [
    path("messages/<int:pk>/pass-on/", views.pass_on_view, name="message-pass-on"),
    path("handoffs/", views.handoff_list, name="handoffs"),
    path("handoffs/<int:pk>/transition/", views.transition_view, name="handoff-transition"),
    path("handoffs/<int:pk>/tell-author/", views.tell_author_view, name="handoff-tell-author"),
    path("handoffs/acknowledge/<str:token>/", views.acknowledge_link_view, name="handoff-acknowledge-link"),
]
