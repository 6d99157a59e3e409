"""Emergency mode of a node (みんかな): declarations mirrored from the hub, center status reports."""
