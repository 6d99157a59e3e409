from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = _("ハブ")

    def ready(self):
        from permissions import authentication
        from sync import keys

        from .selectors.tours import visitor_still_reading
        from .services.feed import hub_key_publish

        keys.on_keys_changed(lambda pairs: hub_key_publish(acting_user=None, pairs=pairs))
        authentication.account_rule(visitor_still_reading)
