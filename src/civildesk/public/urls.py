from __future__ import annotations

from django.urls import path

from civildesk.public import views

urlpatterns = [
    path("house-rules/", views.house_rules, name="house-rules"),
    path("house-rules/rate/", views.rate, name="house-rules-rate"),
    path("house-rules/ratings/", views.ratings_report, name="house-rules-ratings"),
]
