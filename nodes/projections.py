"""The node's records on the wire: which types leave the node, and the projection of each — the
only place that decides what of a record the hub may see. Registered with sync at start-up."""

from __future__ import annotations

from sync import registry

from .listings import event_listing, group_listing, offer_listing
from .sharing import project_case
from .tour_sharing import project_tour, project_tour_case, project_tour_lesson

PROFILE_TYPE = "node_profile"


def project_center(center) -> dict | None:
    """A center announces its name and municipality; other organizations never leave as profiles."""
    if center.kind != "center":
        return None
    return {"center": str(center.uuid), "name": center.name, "municipality_code": center.municipality_code,
            "municipality_name": center.municipality_name}


def register_types() -> None:
    registry.register(PROFILE_TYPE, model="permissions.organization", project=project_center)
    after_profile = (PROFILE_TYPE,)
    registry.register("directory_group", model="nodes.groupregistration", project=group_listing,
                      depends_on=after_profile)
    registry.register("public_event", model="nodes.event", project=event_listing, depends_on=after_profile)
    registry.register("shared_case", model="nodes.collaborationcase", project=project_case,
                      depends_on=after_profile)
    registry.register("directory_offer", model="nodes.offer", project=offer_listing,
                      depends_on=("directory_group",))
    registry.register("study_tour", model="nodes.studytour", project=project_tour, depends_on=after_profile)
    registry.register("tour_case", model="nodes.tourcase", project=project_tour_case, depends_on=("study_tour",))
    registry.register("tour_lesson", model="nodes.tourlesson", project=project_tour_lesson,
                      depends_on=("study_tour",))
