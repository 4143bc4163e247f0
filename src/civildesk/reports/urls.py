from __future__ import annotations

from django.urls import path

from civildesk.reports import views

urlpatterns = [
    path("reports/", views.report_page, name="reports"),
    path("reports/<str:week>/report.html", views.report_html, name="report-html"),
    path("reports/<str:week>/report.pdf", views.report_pdf, name="report-pdf"),
    path("reports/<str:week>/messages.csv", views.report_csv, name="report-csv"),
    path("reports/<str:week>/charts/<str:name>.svg", views.report_chart, name="report-chart"),
]
