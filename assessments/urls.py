from django.urls import path

from . import member_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("assessments/new/", views.assessment_start, name="assessment_start"),
    path("assessments/<int:pk>/", views.assessment_overview, name="assessment"),
    path("assessments/<int:pk>/sections/<str:code>/", views.section_edit, name="section"),
    path("assessments/<int:pk>/submit/", views.assessment_submit, name="assessment_submit"),
    path("assessments/<int:pk>/approve/", views.assessment_approve, name="assessment_approve"),
    path("assessments/<int:pk>/return/", views.assessment_return, name="assessment_return"),
    path("assessments/<int:pk>/reopen/", views.assessment_reopen, name="assessment_reopen"),
    path("assessments/<int:pk>/results/", views.assessment_results, name="assessment_results"),
    path("method/", views.method, name="method"),
    path("assessments/<int:pk>/activity/", views.assessment_activity, name="assessment_activity"),
    path("agency/members/", member_views.members, name="members"),
    path("agency/members/add/", member_views.member_add, name="member_add"),
    path("agency/members/<int:pk>/role/", member_views.member_role, name="member_role"),
    path(
        "agency/members/<int:pk>/deactivate/",
        member_views.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "agency/members/<int:pk>/reactivate/",
        member_views.member_reactivate,
        name="member_reactivate",
    ),
    path("agency/members/<int:pk>/invite/", member_views.member_invite, name="member_invite"),
    path("agency/audit/", member_views.agency_audit, name="agency_audit"),
]

# Data that moves: the JSON export and a CSV of answers (command staff).
from . import transfer_views  # noqa: E402

urlpatterns += [
    path(
        "assessments/<int:pk>/export.json",
        transfer_views.assessment_export_json,
        name="assessment_export_json",
    ),
    path(
        "assessments/<int:pk>/answers.csv",
        transfer_views.assessment_export_csv,
        name="assessment_export_csv",
    ),
]
