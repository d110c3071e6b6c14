from django.urls import path

from . import review_views, sheet_views, transfer_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("assessments/new/", views.assessment_start, name="assessment_start"),
    path("assessments/<int:pk>/", views.assessment_overview, name="assessment"),
    path("assessments/<int:pk>/sections/<str:code>/", views.section_edit, name="section"),
    path("assessments/<int:pk>/submit/", review_views.assessment_submit, name="assessment_submit"),
    path(
        "assessments/<int:pk>/approve/",
        review_views.assessment_approve,
        name="assessment_approve",
    ),
    path(
        "assessments/<int:pk>/questions/<int:question_id>/comments/",
        review_views.question_comments,
        name="question_comments",
    ),
    path(
        "assessments/<int:pk>/comments/<int:comment_id>/resolve/",
        review_views.comment_resolve,
        name="comment_resolve",
    ),
    path("assessments/<int:pk>/return/", views.assessment_return, name="assessment_return"),
    path("assessments/<int:pk>/reopen/", views.assessment_reopen, name="assessment_reopen"),
    path(
        "assessments/<int:pk>/not-applicable/<int:question_id>/acknowledge/",
        views.not_applicable_acknowledge,
        name="na_acknowledge",
    ),
    path("assessments/<int:pk>/answers/", sheet_views.answer_sheet_all, name="answer_sheet"),
    path(
        "assessments/<int:pk>/answers/<str:code>/",
        sheet_views.answer_sheet_section,
        name="answer_sheet_section",
    ),
    path("assessments/<int:pk>/results/", views.assessment_results, name="assessment_results"),
    path("assessments/<int:pk>/plan/", views.plan_create, name="assessment_plan_create"),
    path("assessments/<int:pk>/compare/", views.assessment_compare, name="assessment_compare"),
    path("method/", views.method, name="method"),
    path("assessments/<int:pk>/activity/", views.assessment_activity, name="assessment_activity"),
    # Data that moves: the JSON export and a CSV of answers (command staff).
    path(
        "assessments/<int:pk>/export.json",
        transfer_views.assessment_export_json,
        name="assessment_export_json",
    ),
    path(
        "assessments/<int:pk>/export.zip",
        transfer_views.assessment_export_zip,
        name="assessment_export_zip",
    ),
    path(
        "assessments/<int:pk>/answers.csv",
        transfer_views.assessment_export_csv,
        name="assessment_export_csv",
    ),
]
