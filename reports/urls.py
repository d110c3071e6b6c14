from django.urls import path

from . import views

urlpatterns = [
    path("assessments/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
