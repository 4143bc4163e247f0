from __future__ import annotations

from django.urls import path

from civildesk.publishing import views

urlpatterns = [
    path("posts/", views.post_list, name="posts"),
    path("posts/new/", views.compose, name="post-new"),
    path("posts/calendar/", views.calendar, name="posts-calendar"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/edit/", views.edit, name="post-edit"),
    path("posts/<int:pk>/approve/", views.approve, name="post-approve"),
    path("posts/<int:pk>/cancel/", views.cancel, name="post-cancel"),
    path("posts/targets/<int:pk>/", views.target_action, name="post-target"),
]
