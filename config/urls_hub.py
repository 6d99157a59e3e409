"""URLs of the hub (KYODO_ROLE=hub)."""

from django.urls import include, path

from .urls_common import urlpatterns as common

# A path under /api/ that no route matches answers JSON like every other API error (common.api).
handler404 = "common.api.not_found"

urlpatterns = [
    *common,
    path("", include("hub.urls")),
]
