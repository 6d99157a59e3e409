"""URLs of a node (KYODO_ROLE=node)."""

from django.urls import include, path

from .urls_common import urlpatterns as common

urlpatterns = [
    *common,
    path("api/v1/", include("nodes.api.urls")),
    path("emergency/", include("emergency.urls")),
    path("", include("nodes.urls")),
]
