"""URLs of a node (KYODO_ROLE=node)."""

from django.urls import include, path

from sync import views as sync_views

from .urls_common import urlpatterns as common

# A path under /api/ that no route matches answers JSON like every other API error (common.api).
handler404 = "common.api.not_found"

urlpatterns = [
    *common,
    path("api/v1/", include("nodes.api.urls")),
    path("emergency/", include("emergency.urls")),
    path("sync/v1/poke", sync_views.poke, name="sync-poke"),
    path("", include("nodes.urls")),
]
