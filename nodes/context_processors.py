"""The node's navigation, on every page."""

from .ui import RECORDS


def navigation(request) -> dict:
    return {"nav_records": RECORDS.values()}
