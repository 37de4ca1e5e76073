"""/verify against files made to exhaust it: each gets a clear 4xx page in the visitor's
language, and the web process (this test process: the test client runs the app in it) does
not grow. Without the screening, limits and child process, the 20 KB cross-reference bomb
alone took 56 s and 640 MB in pyHanko."""

from __future__ import annotations

import os

import pytest

from saas.semaphore import Semaphore
from saas.statements import verification
from saas.statements.views import RETRY_AFTER_SECONDS
from tests.memory import peak_growth
from tests.statements import hostile_pdfs
from tests.statements.conftest import english, upload, verdict

# Far below what any of these files costs a reader that is not bounded.
MAX_GROWTH_MB = 48


def _truncated_sample(sample: tuple[bytes, str]) -> bytes:
    return sample[0][: len(sample[0]) // 2]


HOSTILE = {
    "xref stream inflating to 20 MB": lambda _: hostile_pdfs.xref_stream_bomb(),
    "object stream inflating to 64 MB": lambda _: hostile_pdfs.object_stream_bomb(),
    "arrays nested 200,000 deep": lambda _: hostile_pdfs.deep_nesting(),
    "dictionaries nested 200,000 deep": lambda _: hostile_pdfs.deep_nesting(opener=b"<<"),
    "a 10 GB stream length": lambda _: hostile_pdfs.huge_declared_length(),
    "a hundred million objects": lambda _: hostile_pdfs.huge_object_count(),
    "a statement cut in half": _truncated_sample,
    "random bytes": lambda _: os.urandom(50_000),
}


@pytest.mark.parametrize("build", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_file_gets_a_clear_answer_and_the_web_process_stays_small(app, sample, build):
    data = build(sample)  # built before measuring: the builders' own memory is not the app's
    client = english(app.test_client())
    with peak_growth() as grown:
        response = upload(client, data)
    assert response.status_code == 422
    assert verdict(response) == "unreadable"
    assert "Cannot read this file." in response.get_data(as_text=True)
    assert grown[0] < MAX_GROWTH_MB, f"the web process grew by {grown[0]:.0f} MB"


def test_cannot_read_is_said_in_chinese(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["lang"] = "zh_CN"
    response = upload(client, hostile_pdfs.xref_stream_bomb())
    assert response.status_code == 422
    assert "无法读取此文件" in response.get_data(as_text=True)


@pytest.mark.parametrize("megabytes", [6, 12])
def test_a_file_larger_than_any_statement_is_not_read(app, megabytes):
    # 6 MB passes the request limit and is refused by size; 12 MB is refused while the
    # request is read, before the view: the same page either way.
    data = b"%PDF-1.7\n" + b"0" * (megabytes * 1024 * 1024)
    response = upload(english(app.test_client()), data)
    assert response.status_code == 413
    assert verdict(response) == "too_large"
    assert "File too large." in response.get_data(as_text=True)


def test_files_are_read_under_the_child_process_limits(app, sample, monkeypatch):
    """The sample verifies; with no time allowed to the child, the same file cannot be read:
    the reading happens in the child, under its limits, not in the web process."""
    client = english(app.test_client())
    assert verdict(upload(client, sample[0])) == "sample"
    starved = verification.Limits(memory_bytes=256 * 1024 * 1024, cpu_seconds=3, wall_seconds=0)
    monkeypatch.setattr(verification, "VERIFY_LIMITS", starved)
    response = upload(client, sample[0])
    assert response.status_code == 422 and verdict(response) == "unreadable"


@pytest.fixture
def all_slots_taken(app, settings):
    """Every verification slot of the deployment held by someone else."""
    slots = Semaphore(
        app.extensions["kaohe.redis"],
        f"kaohe:{settings.queue_name}:verify-slots",
        settings.verify_slots,
        verification.SLOT_HOLD_SECONDS,
    )
    held = [slots.slot() for _ in range(settings.verify_slots)]
    for slot in held:
        slot.__enter__()
    yield
    for slot in held:
        slot.__exit__(None, None, None)


def test_when_every_slot_is_taken_an_upload_is_told_to_come_back(app, sample, all_slots_taken):
    client = english(app.test_client())
    response = upload(client, sample[0])
    assert response.status_code == 503
    # At least ours; the rate limiter may name a later moment (the end of its window).
    assert int(response.headers["Retry-After"]) >= RETRY_AFTER_SECONDS
    body = response.get_data(as_text=True)
    assert "verdict-busy" in body and "Busy: try again shortly." in body


def test_busy_uploads_do_not_slow_down_serials_and_cheap_answers(app, sample, all_slots_taken):
    # The QR code's serial needs no slot, nor does a file screened out before parsing.
    client = english(app.test_client())
    by_serial = client.get(f"/verify?serial={sample[1]}")
    assert by_serial.status_code == 200 and verdict(by_serial) == "sample"
    assert upload(client, hostile_pdfs.huge_object_count()).status_code == 422


def test_slots_are_given_back_after_each_verification(app, sample, settings):
    client = english(app.test_client())
    for _ in range(settings.verify_slots + 2):
        assert verdict(upload(client, sample[0])) == "sample"
