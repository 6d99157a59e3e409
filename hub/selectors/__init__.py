"""Reads on the hub, one module per capability: access, federation, directory, library, statistics,
disasters, contacts, surveys, tours. Selectors never call services."""

# Read from outside hub by name (the page context of config and the disaster banner of sync), each
# behind a role check there.
from .access import can, hub_menu
from .disasters import open_disasters

__all__ = ["can", "hub_menu", "open_disasters"]
