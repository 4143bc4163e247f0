from __future__ import annotations

from django.urls import path

from civildesk.moderation import views

urlpatterns = [
    path("moderation/", views.queue_view, name="moderation-queue"),
    path("moderation/actions/<int:pk>/<str:verb>/", views.act_view, name="moderation-act"),
    path("moderation/appeals/", views.appeals_view, name="moderation-appeals"),
    path("moderation/appeals/<int:pk>/decide/", views.decide_appeal_view, name="moderation-appeal-decide"),
    path("messages/<int:pk>/moderation/propose/", views.propose_view, name="moderation-propose"),
    path("messages/<int:pk>/evidence.zip", views.evidence_view, name="moderation-evidence"),
]
