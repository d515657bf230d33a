"""/open311/v2/…: each resource ends in .json or .xml; anything else under the
prefix (another extension, an unknown path) is an Open311 404, never a page."""

from django.urls import re_path

from . import views

_F = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^services" + _F, views.service_list, name="open311-services"),
    re_path(r"^services/(?P<code>[^/]+?)" + _F, views.service_definition, name="open311-service"),
    re_path(r"^requests" + _F, views.requests, name="open311-requests"),
    re_path(r"^requests/(?P<request_id>[^/]+?)" + _F, views.request_detail, name="open311-request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + _F, views.token_detail, name="open311-token"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="open311-not-found"),
]
