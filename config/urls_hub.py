"""URLs of the hub (KYODO_ROLE=hub)."""

from django.urls import include, path

from sync import views as sync_views

from .urls_common import urlpatterns as common

# A path under /api/ that no route matches answers JSON like every other API error (common.api).
handler404 = "common.api.not_found"

urlpatterns = [
    *common,
    # A prefectural hub below a national hub is poked by it as a node by its hub.
    path("sync/v1/poke", sync_views.poke, name="sync-poke"),
    path("", include("hub.urls")),
]
