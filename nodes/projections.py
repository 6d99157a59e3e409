"""The node's records on the wire: which types leave the node, and the projection of each — the
only place that decides what of a record the hub may see. Registered with sync at start-up."""

from __future__ import annotations

from sync import registry
from sync.wire import cases, directory, networks, tours

from .listings import event_listing, group_listing, offer_listing
from .sharing import project_case
from .support_networks import network_listing
from .tour_sharing import project_tour, project_tour_case, project_tour_lesson

PROFILE_TYPE = directory.NODE_PROFILE


def project_center(center) -> dict | None:
    """A center announces its name and municipality; other organizations never leave as profiles."""
    if center.kind != "center":
        return None
    return {"center": str(center.uuid), "name": center.name, "municipality_code": center.municipality_code,
            "municipality_name": center.municipality_name}


def register_types() -> None:
    registry.register(PROFILE_TYPE, model="permissions.organization", project=project_center)
    after_profile = (PROFILE_TYPE,)
    registry.register(directory.DIRECTORY_GROUP, model="nodes.groupregistration", project=group_listing,
                      depends_on=after_profile)
    registry.register(directory.PUBLIC_EVENT, model="nodes.event", project=event_listing, depends_on=after_profile)
    registry.register(cases.SHARED_CASE, model="nodes.collaborationcase", project=project_case,
                      depends_on=after_profile)
    registry.register(directory.DIRECTORY_OFFER, model="nodes.offer", project=offer_listing,
                      depends_on=(directory.DIRECTORY_GROUP,))
    registry.register(networks.NETWORK_LISTING, model="nodes.supportnetwork", project=network_listing,
                      depends_on=after_profile)
    registry.register(tours.STUDY_TOUR, model="nodes.studytour", project=project_tour, depends_on=after_profile)
    registry.register(tours.TOUR_CASE, model="nodes.tourcase", project=project_tour_case, depends_on=(tours.STUDY_TOUR,))
    registry.register(tours.TOUR_LESSON, model="nodes.tourlesson", project=project_tour_lesson,
                      depends_on=(tours.STUDY_TOUR,))
    # Counts per center, written whole by nodes.publishing (no record of their own).
    registry.register(directory.AGGREGATE_COUNTS, depends_on=after_profile)
