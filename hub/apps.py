from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = _("ハブ")

    def ready(self):
        from permissions import authentication
        from sync import disaster, feed, keys, registry

        from .selectors.tours import visitor_still_reading
        from .services import national, upward
        from .services.feed import hub_key_publish

        keys.on_keys_changed(lambda pairs: hub_key_publish(acting_user=None, pairs=pairs))
        authentication.account_rule(visitor_still_reading)
        # What a prefectural hub receives from its national hub's feed (sync.tasks pulls it).
        feed.register(disaster.FEED_KIND, national.declaration_mirror_item)
        feed.register(disaster.COMMITMENT_KIND, national.commitment_mirror_item)
        feed.register(disaster.DELIVERY_KIND, national.delivery_relay_item)
        # A hub given a national hub after it held 全国 cases passes them up before its first push there.
        registry.before_push(upward.backfill_once)
