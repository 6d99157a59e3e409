"""URLs of a node's emergency mode (included under /emergency/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="emergency-dashboard"),
    path("<uuid:declaration_uuid>/centers/<uuid:center_uuid>/status/", views.center_status,
         name="emergency-center-status"),
    path("<uuid:declaration_uuid>/centers/<uuid:center_uuid>/needs/", views.needs, name="emergency-needs"),
    path("<uuid:declaration_uuid>/centers/<uuid:center_uuid>/offers/", views.offer_create, name="emergency-offer-create"),
    path("needs/<uuid:uuid>/", views.need_action, name="emergency-need-action"),
    path("offers/<uuid:uuid>/withdraw/", views.offer_withdraw, name="emergency-offer-withdraw"),
    path("<uuid:declaration_uuid>/centers/<uuid:center_uuid>/contacts/", views.contacts, name="emergency-contacts"),
    path("contacts/<uuid:uuid>/withdraw/", views.contact_withdraw, name="emergency-contact-withdraw"),
    path("surveys/<uuid:survey_uuid>/centers/<uuid:center_uuid>/", views.survey, name="emergency-survey"),
    path("commitments/<uuid:uuid>/report/", views.commitment_report, name="emergency-commitment-report"),
]
