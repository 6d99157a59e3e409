from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "emergency"
    verbose_name = _("緊急モード")

    def ready(self):
        from nodes import hooks
        from sync import feed, registry
        from sync.disaster import COMMITMENT_KIND, DELIVERY_KIND, FEED_KIND, SURVEY_KIND

        from . import projections
        from .deliveries import delivery_receive_item
        from .selectors import emergency_active
        from .services import (
            commitment_receive_item,
            contacts_purge_for_group,
            contacts_reproject_for_group,
            declaration_receive_item,
            survey_receive_item,
        )

        projections.register_types()
        feed.register(FEED_KIND, declaration_receive_item)
        feed.register(COMMITMENT_KIND, commitment_receive_item)
        feed.register(SURVEY_KIND, survey_receive_item)
        feed.register(DELIVERY_KIND, delivery_receive_item)
        hooks.on_group_changed(contacts_reproject_for_group)
        hooks.on_group_leaving(contacts_purge_for_group)
        registry.emergency_check(emergency_active)
