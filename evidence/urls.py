from django.urls import path

from . import views

urlpatterns = [
    path(
        "assessments/<int:pk>/evidence/<int:question_id>/",
        views.answer_evidence,
        name="answer_evidence",
    ),
    path("plan/items/<int:pk>/evidence/", views.plan_item_evidence, name="plan_item_evidence"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
]
