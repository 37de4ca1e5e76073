"""The tenant's audit log page, and the rule that audit rows are never changed or deleted."""

from saas.audit.guard import install

install()
