"""URLs of the hub: the coordinator UI and the signed sync endpoints."""

from django.urls import path

from . import api, library_sync_views, sync_views, sync_views_network
from .views import contacts, directory, disasters, federation, library, networks, statistics, surveys, tours

urlpatterns = [
    # The federation: nodes, their keys, notices.
    path("", federation.home, name="home"),
    path("nodes/enroll/", federation.node_enroll, name="hub-node-enroll"),
    path("nodes/<slug:slug>/", federation.node_detail, name="hub-node"),
    path("nodes/<slug:slug>/status/", federation.node_status, name="hub-node-status"),
    path("nodes/<slug:slug>/keys/<str:key_id>/retire/", federation.key_retire, name="hub-key-retire"),
    path("notices/new/", federation.notice, name="hub-notice"),
    # The cross-center directory and calendar.
    path("directory/", directory.directory, name="hub-directory"),
    path("calendar/", directory.calendar, name="hub-calendar"),
    path("networks/", networks.network_list, name="hub-networks"),
    path("networks.json", networks.network_list_json, name="hub-networks-json"),
    # The shared case library and its collections.
    path("cases/", library.case_library, name="hub-cases"),
    path("cases/<int:pk>/", library.case_detail, name="hub-case"),
    path("cases/reads/", library.library_reads, name="hub-library-reads"),
    path("cases/<int:pk>/collect/", library.case_collect, name="hub-case-collect"),
    path("collections/", library.collection_list, name="hub-collections"),
    path("collections/<int:pk>/", library.collection_detail, name="hub-collection"),
    path("collections/<int:pk>/edit/", library.collection_edit, name="hub-collection-edit"),
    path("collections/<int:pk>/delete/", library.collection_delete, name="hub-collection-delete"),
    path("collections/<int:pk>/cases/<int:case_pk>/remove/", library.collection_remove_case,
         name="hub-collection-remove-case"),
    path("collections/<int:pk>/cases/<int:case_pk>/move/", library.collection_move_case, name="hub-collection-move-case"),
    # Statistics.
    path("statistics/", statistics.statistics, name="hub-statistics"),
    path("statistics/<slug:slug>.csv", statistics.statistics_csv, name="hub-statistics-csv"),
    path("statistics/centers/", statistics.center_statistics, name="hub-statistics-centers"),
    path("statistics/centers/<slug:slug>.csv", statistics.center_statistics_csv, name="hub-statistics-centers-csv"),
    # Disaster coordination.
    path("disasters/", disasters.disaster_list, name="hub-disasters"),
    path("disasters/new/", disasters.disaster_declare, name="hub-disaster-declare"),
    path("disasters/<uuid:uuid>/", disasters.disaster_board, name="hub-disaster"),
    path("disasters/<uuid:uuid>/needs/<uuid:need_uuid>/", disasters.disaster_need, name="hub-disaster-need"),
    path("disasters/<uuid:uuid>/edit/", disasters.disaster_edit, name="hub-disaster-edit"),
    path("disasters/<uuid:uuid>/close/", disasters.disaster_close, name="hub-disaster-close"),
    path("disasters/<uuid:uuid>/commit/", disasters.disaster_commit, name="hub-disaster-commit"),
    path("disasters/<uuid:uuid>/sitrep/", disasters.disaster_sitrep, name="hub-disaster-sitrep"),
    path("disasters/<uuid:uuid>/export.csv", disasters.disaster_export, {"fmt": "csv"}, name="hub-disaster-csv"),
    path("disasters/<uuid:uuid>/export.json", disasters.disaster_export, {"fmt": "json"}, name="hub-disaster-json"),
    path("disasters/<uuid:uuid>/export-hxl.csv", disasters.disaster_export, {"fmt": "hxl"}, name="hub-disaster-hxl"),
    # Disaster contacts and their grants.
    path("disasters/<uuid:uuid>/contacts/", contacts.disaster_contacts, name="hub-disaster-contacts"),
    path("disasters/<uuid:uuid>/contacts/grants/", contacts.contact_grant_request, name="hub-contact-grant-request"),
    path("disasters/<uuid:uuid>/contacts/grants/<uuid:grant_uuid>/approve/", contacts.contact_grant_approve,
         name="hub-contact-grant-approve"),
    path("disasters/<uuid:uuid>/contacts/grants/<uuid:grant_uuid>/end/", contacts.contact_grant_end,
         name="hub-contact-grant-end"),
    # Emergency surveys.
    path("disasters/<uuid:uuid>/surveys/new/", surveys.survey_create, name="hub-survey-create"),
    path("surveys/<uuid:uuid>/", surveys.survey_results, name="hub-survey"),
    path("surveys/<uuid:uuid>/close/", surveys.survey_close, name="hub-survey-close"),
    path("surveys/<uuid:uuid>/<slug:slug>.csv", surveys.survey_csv, name="hub-survey-csv"),
    # Study tours.
    path("tours/", tours.tour_list, name="hub-tours"),
    path("tours/new/", tours.tour_create, name="hub-tour-create"),
    path("tours/invite/<str:token>/", tours.invitation, name="hub-tour-invitation"),
    path("tours/<int:pk>/", tours.tour_page, name="hub-tour"),
    path("tours/<int:pk>/manage/", tours.tour_manage, name="hub-tour-manage"),
    path("tours/<int:pk>/cases/<uuid:ref>/", tours.tour_case, name="hub-tour-case"),
    path("tours/<int:pk>/report/", tours.report, name="hub-tour-report"),
    # The REST API.
    path("api/v1/disasters/<uuid:uuid>/contacts/", api.DisasterContactsApi.as_view(), name="api-disaster-contacts"),
    # Signed endpoints for the nodes.
    path("sync/v1/tours/<uuid:uuid>/invitations", sync_views.tour_invitations, name="sync-tour-invitations"),
    path("sync/v1/tours/<uuid:uuid>/readership", sync_views.tour_readership, name="sync-tour-readership"),
    path("sync/v1/library", sync_views.library, name="sync-library"),
    # The shared library read from a center's node (事例ライブラリ（県）), each read counted.
    path("sync/v1/library/cases", library_sync_views.cases, name="sync-library-cases"),
    path("sync/v1/library/cases/<uuid:uuid>", library_sync_views.case, name="sync-library-case"),
    path("sync/v1/library/statistics", library_sync_views.statistics, name="sync-library-statistics"),
    path("sync/v1/library/directory", library_sync_views.directory, name="sync-library-directory"),
    path("sync/v1/checkpoint", sync_views.checkpoint, name="sync-checkpoint"),
    path("sync/v1/batches", sync_views.batches, name="sync-batches"),
    path("sync/v1/feed", sync_views.feed, name="sync-feed"),
    path("sync/v1/digest", sync_views.digest, name="sync-digest"),
    path("sync/v1/offers", sync_views.offers, name="sync-offers"),
    path("sync/v1/centers", sync_views_network.centers, name="sync-centers"),
    path("sync/v1/relations", sync_views_network.relations, name="sync-relations"),
    path("sync/v1/relations/figures", sync_views_network.backed_figures, name="sync-backed-figures"),
    path("sync/v1/referrals", sync_views_network.referrals, name="sync-referrals"),
    path("sync/v1/referrals/<uuid:uuid>/status", sync_views_network.referral_status, name="sync-referral-status"),
    path("sync/v1/introductions", sync_views.introductions, name="sync-introductions"),
    path("sync/v1/introductions/<uuid:uuid>/answer", sync_views.introduction_answer, name="sync-introduction-answer"),
]
