from django.urls import path

from . import views_costs, views_staff, views_survey

app_name = "insights"
urlpatterns = [
    path("survey/<str:token>/", views_survey.survey, name="survey"),
    path("staff/insights/", views_staff.dashboard, name="dashboard"),
    path("staff/insights/services/<str:code>/", views_staff.service, name="service"),
    path("staff/insights/services/<str:code>/costs/", views_costs.costs, name="costs"),
    path("staff/insights/reports/", views_staff.request_report, name="request-report"),
    path(
        "staff/insights/reports/<uuid:public_id>/",
        views_staff.download_report,
        name="download-report",
    ),
]
