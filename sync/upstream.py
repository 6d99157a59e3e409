"""Where this deployment's outbox goes and its feed comes from: a node's hub, or a prefectural hub's
national hub (none for a hub without a parent)."""

from django.conf import settings


def upstream_url() -> str:
    """Read from the settings at each call, not once at start, so an override in a test or a shell holds."""
    return settings.KYODO_HUB_URL if settings.KYODO_ROLE == "node" else settings.KYODO_PARENT_HUB_URL
