"""A center's node: its own records, their services, selectors, API and staff UI."""
