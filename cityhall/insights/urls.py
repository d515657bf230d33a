from django.urls import path

from . import views_survey

app_name = "insights"
urlpatterns = [
    path("survey/<str:token>/", views_survey.survey, name="survey"),
]
