"""Tenancy: the registry, provisioning, migrations across schemas, resolving a tenant per request."""
