"""The ledger's tenant (tests/ledger/conftest.py): its people, roles and published scheme."""

from __future__ import annotations

import pytest

from tests.ledger.conftest import Book, make_book


@pytest.fixture
def book(db, make_tenant) -> Book:
    return make_book(db, make_tenant)
