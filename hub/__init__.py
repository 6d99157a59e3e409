"""The prefectural hub: node registry, shared case library, statistics, study tours, disaster coordination."""
