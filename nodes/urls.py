"""Staff UI URLs of a node."""

from django.urls import path

from . import views, views_exchange

urlpatterns = [
    path("", views.home, name="home"),
    path("sync/", views.sync_page, name="sync-status"),
    path("groups/import/", views_exchange.group_import, name="group-import"),
    path("groups/import/confirm/", views_exchange.group_import_confirm, name="group-import-confirm"),
    path("groups/export.csv", views_exchange.groups_export, name="groups-export"),
    path("events/export.csv", views_exchange.events_export, name="events-export"),
    path("events/opendata.csv", views_exchange.events_open_data, name="events-opendata"),
    path("events/calendar.ics", views_exchange.events_ical, name="events-ical"),
    path("feeds/<uuid:center_uuid>/events.ics", views_exchange.public_events_ical, name="public-events-ical"),
    path("groups/<uuid:uuid>/consent/", views.group_consent, name="group-consent"),
    path("groups/<uuid:uuid>/renew/", views.group_renew, name="group-renew"),
    path("consultations/<uuid:uuid>/advance/", views.consultation_advance, name="consultation-advance"),
    path("cases/<uuid:uuid>/share/", views.case_share, name="case-share"),
    path("<slug:slug>/", views.record_list, name="record-list"),
    path("<slug:slug>/new/", views.record_edit, name="record-create"),
    path("<slug:slug>/<uuid:uuid>/", views.record_detail, name="record-detail"),
    path("<slug:slug>/<uuid:uuid>/edit/", views.record_edit, name="record-edit"),
    path("<slug:slug>/<uuid:uuid>/delete/", views.record_delete, name="record-delete"),
]
