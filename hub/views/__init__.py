"""The hub's staff UI, one module per capability: federation, directory, library, statistics,
disasters, contacts, surveys, tours (common holds the permission guard they share)."""
