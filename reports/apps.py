from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from assessments.signals import assessment_approved

        from .receivers import queue_approved_report

        assessment_approved.connect(queue_approved_report, dispatch_uid="queue_approved_report")
