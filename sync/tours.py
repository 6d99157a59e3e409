"""Temporary: the tour feed kind until the wire contracts land (sync.wire)."""

TOUR_REPORT_KIND = "tour_report"  # hub → host node feed
