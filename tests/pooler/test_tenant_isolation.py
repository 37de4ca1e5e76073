"""The tenant-isolation tests, unchanged, with every request going through PgBouncer in
transaction mode: collected in this folder, they get its ``app``, ``db`` and ``settings``."""

from tests.web.test_tenant_isolation import *  # noqa: F403
