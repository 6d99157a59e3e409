"""URLs of a node's emergency mode (included under /emergency/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="emergency-dashboard"),
    path("<uuid:declaration_uuid>/centers/<uuid:center_uuid>/status/", views.center_status,
         name="emergency-center-status"),
]
