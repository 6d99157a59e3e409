"""URLs of the hub: the coordinator UI and the signed sync endpoints."""

from django.urls import path

from . import sync_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("directory/", views.directory, name="hub-directory"),
    path("calendar/", views.calendar, name="hub-calendar"),
    path("nodes/enroll/", views.node_enroll, name="hub-node-enroll"),
    path("nodes/<slug:slug>/", views.node_detail, name="hub-node"),
    path("nodes/<slug:slug>/status/", views.node_status, name="hub-node-status"),
    path("nodes/<slug:slug>/keys/<str:key_id>/retire/", views.key_retire, name="hub-key-retire"),
    path("notices/new/", views.notice, name="hub-notice"),
    path("sync/v1/checkpoint", sync_views.checkpoint, name="sync-checkpoint"),
    path("sync/v1/batches", sync_views.batches, name="sync-batches"),
    path("sync/v1/feed", sync_views.feed, name="sync-feed"),
    path("sync/v1/digest", sync_views.digest, name="sync-digest"),
]
