"""Staff UI URLs of a node."""

from django.urls import path

from . import views, views_exchange, views_matching as matching

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
    path("matching/", matching.board, name="matching-board"),
    path("matching/needs/<uuid:uuid>/", matching.need_suggestions, name="matching-need"),
    path("matching/needs/<uuid:uuid>/elsewhere/", matching.remote_offers, name="matching-remote"),
    path("matching/needs/<uuid:uuid>/elsewhere/request/", matching.introduction_request,
         name="matching-introduction-request"),
    path("introductions/", matching.introduction_list, name="introductions"),
    path("introductions/<uuid:uuid>/answer/", matching.introduction_answer, name="introduction-answer"),
    path("matching/offers/<uuid:uuid>/", matching.offer_suggestions, name="matching-offer"),
    path("matching/propose/", matching.propose, name="matching-propose"),
    path("matching/dismiss/", matching.dismiss, name="matching-dismiss"),
    path("matching/dismissals/<uuid:uuid>/restore/", matching.restore, name="matching-restore"),
    path("matching/<uuid:uuid>/", matching.match_detail, name="matching-detail"),
    path("matching/<uuid:uuid>/meetings/", matching.record_meeting, name="matching-meeting"),
    path("matching/<uuid:uuid>/agree/", matching.agree, name="matching-agree"),
    path("matching/<uuid:uuid>/case/", matching.create_case, name="matching-case"),
    path("matching/<uuid:uuid>/decline/", matching.decline, name="matching-decline"),
    path("menu/", matching.my_menu, name="my-menu"),
    path("menu/<uuid:center_uuid>/", matching.menu, name="menu"),
    path("<slug:slug>/", views.record_list, name="record-list"),
    path("<slug:slug>/new/", views.record_edit, name="record-create"),
    path("<slug:slug>/<uuid:uuid>/", views.record_detail, name="record-detail"),
    path("<slug:slug>/<uuid:uuid>/edit/", views.record_edit, name="record-edit"),
    path("<slug:slug>/<uuid:uuid>/delete/", views.record_delete, name="record-delete"),
]
