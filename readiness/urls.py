"""The URL map: each app's URLs, the Django admin and the error handlers."""

from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Readiness administration"
admin.site.site_title = "Readiness administration"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("agencies.urls")),
    path("", include("reports.urls")),
    path("", include("assessments.urls")),
    path("", include("plans.urls")),
    path("", include("evidence.urls")),
    path("", include("community.urls")),
    path("", include("oversight.urls")),
    path("notifications/", include("notifications.urls")),
]

# 500, or 503 when the database stopped answering (see `readiness.views`).
handler500 = "readiness.views.server_error"
