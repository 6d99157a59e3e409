"""Deployment: the local federation runner and the production compose files."""
