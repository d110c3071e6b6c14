from django.urls import path

from . import views

urlpatterns = [
    path("assessments/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("assessments/<int:pk>/report/", views.report_status, name="report_status"),
    path("assessments/<int:pk>/report/retry", views.report_retry, name="report_retry"),
]
