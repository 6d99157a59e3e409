from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = _("同期")

    def ready(self):
        from . import feed, outbox, registry, tasks
        from .poke import HUB_KEY_KIND, hub_keys_receive_item

        feed.register(HUB_KEY_KIND, hub_keys_receive_item)
        # Counts per center, written whole by the node's aggregate service (no record of their own).
        registry.register(outbox.AGGREGATE_TYPE, depends_on=("node_profile",))
        outbox.on_written(tasks.schedule_push)
