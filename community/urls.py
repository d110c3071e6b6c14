from django.urls import path

from . import views

urlpatterns = [
    path(
        "assessments/<int:pk>/community-summary/",
        views.summary_manage,
        name="community_summary",
    ),
    path(
        "assessments/<int:pk>/community-summary/unpublish",
        views.summary_unpublish,
        name="community_summary_unpublish",
    ),
    # The public address: a random slug, no sign-in. English, then Spanish.
    path("p/<slug:slug>/", views.public_summary, {"language": "en"}, name="public_summary"),
    path("p/<slug:slug>/es/", views.public_summary, {"language": "es"}, name="public_summary_es"),
    path(
        "p/<slug:slug>/summary.pdf",
        views.public_summary_pdf,
        {"language": "en"},
        name="public_summary_pdf",
    ),
    path(
        "p/<slug:slug>/es/resumen.pdf",
        views.public_summary_pdf,
        {"language": "es"},
        name="public_summary_pdf_es",
    ),
]
