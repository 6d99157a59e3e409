from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "emergency"
    verbose_name = _("緊急モード")

    def ready(self):
        from sync import feed
        from sync.disaster import FEED_KIND

        from .services import declaration_receive_item

        feed.register(FEED_KIND, declaration_receive_item)
