"""Shared helpers at the bottom of the layers: Japanese text and calendar, the domain's shared
vocabulary, search, charts, form and API conventions. Imports nothing of the project's own."""
