"""Tenancy: the registry, provisioning, migrations across schemas, tenant per request."""
