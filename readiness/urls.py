from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assessments import account_views
from assessments.forms import PasswordResetForm, SignInForm

admin.site.site_header = "Readiness administration"
admin.site.site_title = "Readiness administration"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/set/<uidb64>/<token>/",
        account_views.PasswordSetView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/set/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/", account_views.account, name="account"),
    path("accounts/two-step/", account_views.mfa_verify, name="mfa_verify"),
    path("accounts/two-step/setup/", account_views.mfa_setup, name="mfa_setup"),
    path(
        "accounts/two-step/recovery-codes/",
        account_views.recovery_codes_renew,
        name="recovery_codes_renew",
    ),
    path("accounts/session/", account_views.session_status, name="session_status"),
    path("accounts/session/keepalive/", account_views.session_keepalive, name="session_keepalive"),
    path("admin/", admin.site.urls),
    path("", include("reports.urls")),
    path("", include("assessments.urls")),
]

# 500, or 503 when the database stopped answering (see `readiness.views`).
handler500 = "readiness.views.server_error"
