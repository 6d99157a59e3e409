"""The disaster banner every page shows (config/templates/_disaster_banner.html): real disasters in red,
drills striped and labelled 訓練, each declaration on its own line so the two never mix."""

from __future__ import annotations


def banner_items(declarations_and_urls) -> list[dict]:
    """[(declaration, url)] → the banner's lines, real disasters first: a drill must never push a
    real one out of sight."""
    items = [{"uuid": str(d.uuid), "name": d.name, "exercise": d.exercise, "hazard": d.get_hazard_display(),
              "phase": d.get_phase_display(), "url": url} for d, url in declarations_and_urls]
    return sorted(items, key=lambda item: item["exercise"])
