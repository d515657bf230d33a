from django.urls import path

from . import views, views_team

app_name = "ideas"
urlpatterns = [
    path("staff/ideas/", views.idea_list, name="list"),
    path("staff/ideas/new/", views.propose, name="propose"),
    path("staff/ideas/similar/", views.similar, name="similar"),
    path("staff/ideas/estimate/", views.estimate_fragment, name="estimate"),
    path("staff/ideas/wins/", views.wins, name="wins"),
    path("staff/ideas/digest/", views.digest_preference, name="digest"),
    path("staff/ideas/queue/", views_team.queue, name="queue"),
    path("staff/ideas/backlog/", views_team.backlog, name="backlog"),
    path("staff/ideas/<int:idea_id>/", views.detail, name="detail"),
    path("staff/ideas/<int:idea_id>/support/", views.support, name="support"),
    path("staff/ideas/<int:idea_id>/comment/", views.comment, name="comment"),
    path("staff/ideas/<int:idea_id>/name/", views.name_consent, name="name-consent"),
    path("staff/ideas/<int:idea_id>/state/", views_team.change_state, name="state"),
    path("staff/ideas/<int:idea_id>/build/", views_team.build_estimate, name="build"),
    path("staff/ideas/<int:idea_id>/link/", views_team.link, name="link"),
    path("staff/ideas/<int:idea_id>/merge/", views_team.merge, name="merge"),
    path("staff/ideas/<int:idea_id>/publish/", views_team.publish, name="publish"),
]
