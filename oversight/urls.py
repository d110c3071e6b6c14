from django.urls import path

from . import views

urlpatterns = [
    path("state/", views.state_overview, name="state_overview"),
    path("state/agencies.csv", views.state_table_csv, name="state_csv"),
    path("state/agencies/<int:pk>/report.pdf", views.state_report_pdf, name="state_report_pdf"),
    path("state/agencies/<int:pk>/compare/", views.state_compare, name="state_compare"),
]
