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
    path("cases/", views.case_library, name="hub-cases"),
    path("cases/<int:pk>/", views.case_detail, name="hub-case"),
    path("cases/<int:pk>/collect/", views.case_collect, name="hub-case-collect"),
    path("collections/", views.collection_list, name="hub-collections"),
    path("collections/<int:pk>/", views.collection_detail, name="hub-collection"),
    path("collections/<int:pk>/edit/", views.collection_edit, name="hub-collection-edit"),
    path("collections/<int:pk>/delete/", views.collection_delete, name="hub-collection-delete"),
    path("collections/<int:pk>/cases/<int:case_pk>/remove/", views.collection_remove_case,
         name="hub-collection-remove-case"),
    path("collections/<int:pk>/cases/<int:case_pk>/move/", views.collection_move_case, name="hub-collection-move-case"),
    path("statistics/", views.statistics, name="hub-statistics"),
    path("statistics/<slug:slug>.csv", views.statistics_csv, name="hub-statistics-csv"),
    path("disasters/", views.disaster_list, name="hub-disasters"),
    path("disasters/new/", views.disaster_declare, name="hub-disaster-declare"),
    path("disasters/<uuid:uuid>/", views.disaster_board, name="hub-disaster"),
    path("disasters/<uuid:uuid>/edit/", views.disaster_edit, name="hub-disaster-edit"),
    path("disasters/<uuid:uuid>/close/", views.disaster_close, name="hub-disaster-close"),
    path("sync/v1/checkpoint", sync_views.checkpoint, name="sync-checkpoint"),
    path("sync/v1/batches", sync_views.batches, name="sync-batches"),
    path("sync/v1/feed", sync_views.feed, name="sync-feed"),
    path("sync/v1/digest", sync_views.digest, name="sync-digest"),
    path("sync/v1/offers", sync_views.offers, name="sync-offers"),
    path("sync/v1/introductions", sync_views.introductions, name="sync-introductions"),
    path("sync/v1/introductions/<uuid:uuid>/answer", sync_views.introduction_answer, name="sync-introduction-answer"),
]
