"""URLs of the hub (KYODO_ROLE=hub)."""

from django.urls import include, path

from .urls_common import urlpatterns as common

urlpatterns = [
    *common,
    path("", include("hub.urls")),
]
