from django.urls import path

from . import views

urlpatterns = [
    path("agency/members/", views.members, name="members"),
    path("agency/members/add/", views.member_add, name="member_add"),
    path("agency/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("agency/members/<int:pk>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("agency/members/<int:pk>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("agency/members/<int:pk>/invite/", views.member_invite, name="member_invite"),
    path("agency/audit/", views.agency_audit, name="agency_audit"),
    path("agency/sharing/", views.agency_sharing, name="agency_sharing"),
    path("agency/letterhead/", views.agency_logo, name="agency_logo"),
    path("agency/letterhead/remove/", views.agency_logo_remove, name="agency_logo_remove"),
    path("agency/letterhead.png", views.agency_logo_image, name="agency_logo_image"),
]
