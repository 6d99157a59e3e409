"""Organizations, roles, the one door to every record (`scoped_queryset`) and the audit log."""
