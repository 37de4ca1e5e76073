"""The ways a scheme file reaches Kaohe answer a hostile one with a clear refusal (issue #11,
item 4): the import pages with a 400 naming the line, `kaohe scheme check|try` with exit code
1 and the line, in the user's language; never a 500 or a long burn."""

from __future__ import annotations

import io
import time

import pytest
from click.testing import CliRunner

from saas.cli import main
from tests.schemes.conftest import login_as, new_scheme, token
from tests.scoring.test_hostile_files import HOSTILE, LAUGHS
from tests.test_scheme_cli import INPUTS, SCHEME


def body(response) -> str:
    return response.get_data(as_text=True)


UPLOADS = ["billion laughs", "self-referring alias", "3,000 nested brackets"]
UPLOADS += ["5,001-digit integer", "huge float exponent", "impossible date"]


@pytest.mark.parametrize("case", UPLOADS)
def test_import_page_refuses_hostile_files_with_their_line(client, db, place, case):
    text, _code, line = HOSTILE[case]
    login_as(client, place)
    draft = new_scheme(db, place)
    csrf = token(client, place)
    for url in (place.url("import"), place.url(f"v/{draft}/import")):
        started = time.perf_counter()
        response = client.post(
            url,
            data={"csrf_token": csrf, "file": (io.BytesIO(text.encode()), "evil.yaml")},
            content_type="multipart/form-data",
        )
        assert time.perf_counter() - started < 5
        assert response.status_code == 400, url
        assert f"line {line}:" in body(response)


def test_import_page_names_the_alias_problem(client, db, place):
    login_as(client, place)
    response = client.post(
        place.url("import"),
        data={"csrf_token": token(client, place), "file": (io.BytesIO(LAUGHS.encode()), "x.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Anchors (&amp;name) and aliases (*name) are not allowed" in body(response)


@pytest.fixture
def kaohe(monkeypatch):
    monkeypatch.delenv("KAOHE_LANG", raising=False)
    monkeypatch.delenv("LANG", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["scheme", *args])


def test_check_refuses_hostile_files_in_both_languages(kaohe, tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    english = kaohe("check", str(path), "--lang", "en")
    assert english.exit_code == 1
    assert english.output.splitlines()[0] == (
        f"{path}:2: error: Anchors (&name) and aliases (*name) are not allowed in a scheme "
        "file: write each value out where it applies."
    )
    chinese = kaohe("check", str(path), "--lang", "zh")
    assert chinese.exit_code == 1
    assert chinese.output.splitlines()[0] == (
        f"{path}:2: 错误: 方案文件中不允许使用锚点（&名称）和别名（*名称）："
        "请在每个用到的地方直接写出取值。"
    )
    deep = tmp_path / "deep.yaml"
    deep.write_text(HOSTILE["3,000 nested brackets"][0], encoding="utf-8")
    nested = kaohe("check", str(deep), "--lang", "zh")
    assert nested.exit_code == 1
    assert f"{deep}:3: 错误: 文件在此处嵌套超过 32 层" in nested.output


def test_try_refuses_hostile_inputs(kaohe, tmp_path):
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text(SCHEME, encoding="utf-8")
    for name, text, expected in [
        ("laughs.yaml", LAUGHS.replace("kaohe_scheme: 1\n", ""), ":1: Anchors (&name)"),
        (
            "big.yaml",
            INPUTS.replace("value: 50", "value: 1.0e+999999999"),
            ":6: 1.0e+999999999 is too large",
        ),
        ("long.yaml", INPUTS.replace("value: 50", "value: " + "9" * 5001), "too many digits"),
    ]:
        inputs = tmp_path / name
        inputs.write_text(text, encoding="utf-8")
        tried = kaohe("try", str(scheme), str(inputs), "--lang", "en")
        assert tried.exit_code == 1, tried.output
        assert expected in tried.output, tried.output


def test_import_page_refuses_a_file_over_the_limit_before_reading_it(client, db, place):
    login_as(client, place)
    big = ("kaohe_scheme: 1\n" + "#" * (300 * 1024)).encode()
    response = client.post(
        place.url("import"),
        data={"csrf_token": token(client, place), "file": (io.BytesIO(big), "big.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "The file is not a UTF-8 text file of at most 256 KB." in body(response)
