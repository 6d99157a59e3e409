from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = _("ハブ")

    def ready(self):
        from sync import keys

        from .services.feed import hub_key_publish

        keys.on_keys_changed(lambda pairs: hub_key_publish(acting_user=None, pairs=pairs))
