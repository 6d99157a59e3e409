from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = _("同期")

    def ready(self):
        from . import checks, feed, outbox, registry, tasks  # noqa: F401  (checks registers itself)
        from .poke import HUB_KEY_KIND, hub_keys_receive_item

        feed.register(HUB_KEY_KIND, hub_keys_receive_item)
        outbox.on_written(tasks.schedule_push)
