from django.urls import path

from . import views

urlpatterns = [
    path("plan/", views.plan, name="plan"),
    path("plan/items/new/", views.item_add, name="plan_item_add"),
    path("plan/items/<int:pk>/", views.item_detail, name="plan_item"),
    path("plan/plan.csv", views.plan_csv, name="plan_csv"),
    path("plan/calendar/", views.calendar, name="plan_calendar"),
    path("plan/calendar/<str:token>.ics", views.calendar_feed, name="plan_calendar_feed"),
]
