"""User accounts of a tenant: invitations, roles, disabling, one-time links and their mail."""
