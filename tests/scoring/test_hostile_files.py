"""Scheme and inputs files that would stop a worker are refused while they are read (issue #11,
item 4): aliases before anything is expanded, nesting before the parser recurses or looks
ahead, numbers before they are converted, size before parsing. Each refusal names its line."""

from __future__ import annotations

import pytest
import yaml

from saas.schemes import files, templates
from saas.schemes.messages import describe_input, describe_with_place
from saas.scoring import tryout, yamlguard

HEAD = "kaohe_scheme: 1\nname: 测试\n"
# Under 450 bytes that expand to 9^9 strings (the "billion laughs").
LAUGHS = """\
kaohe_scheme: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
BANDS = HEAD + "bands:\n- threshold: "

HOSTILE = {
    "billion laughs": (LAUGHS, "file.alias", 2),
    "self-referring alias": (HEAD + "sections: &s [*s]\n", "file.alias", 3),
    "anchor alone": (HEAD + "sources: &s\n- kind: supervisor\n", "file.alias", 3),
    "3,000 nested brackets": (HEAD + "sections: " + "[" * 3000 + "]" * 3000, "file.too_deep", 3),
    "deep block nesting": (
        HEAD + "".join(" " * i + "a:\n" for i in range(40)),
        "file.too_deep",
        34,
    ),
    "5,001-digit integer": (BANDS + "9" * 5001, "file.number_too_long", 4),
    "huge float exponent": (
        HEAD + "bands:\n- threshold: 1.0e+999999999",
        "file.number_too_large",
        4,
    ),
    "huge exponent as text": (
        HEAD + "bands:\n- threshold: 1e999999999",
        "file.number_too_large",
        4,
    ),
    "quoted huge exponent": (BANDS + "'1e99'", "file.number_too_large", 4),
    "exponent of 20 digits": (BANDS + "1e99999999999999999999", "file.number_too_large", 4),
    "long hexadecimal": (BANDS + "0x" + "f" * 5000, "file.number_too_long", 4),
    "impossible date": (HEAD + "period: 2026-13-45\n", "file.not_a_date", 3),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_scheme_files_are_refused_with_their_line(case):
    text, code, line = HOSTILE[case]
    loaded = files.load(text)  # refused by its code below, before anything is expanded
    assert loaded.scheme is None
    (found,) = loaded.errors
    assert (found.issue.code, found.line) == (code, line), describe_with_place(found)
    assert "%(" not in describe_with_place(found)


def test_billion_laughs_is_refused_before_anything_is_constructed(monkeypatch):
    assert len(LAUGHS.encode()) < 450

    def never(*args, **kwargs):
        raise AssertionError("the file was read past its first anchor")

    monkeypatch.setattr(files._Loader, "construct_document", never)
    assert files.load(LAUGHS).errors[0].issue.code == "file.alias"


def test_nested_brackets_are_refused_at_the_limit_not_after_scanning_them_all(monkeypatch):
    opened: list[int] = []
    original = yaml.scanner.Scanner.fetch_flow_collection_start

    def counting(self, token_class):
        opened.append(self.flow_level)
        return original(self, token_class)

    monkeypatch.setattr(yaml.scanner.Scanner, "fetch_flow_collection_start", counting)
    loaded = files.load(HEAD + "sections: " + "[" * 3000 + "]" * 3000)
    assert loaded.errors[0].issue.code == "file.too_deep"
    assert len(opened) == yamlguard.MAX_DEPTH


def test_a_file_over_the_size_limit_is_refused_before_parsing(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(files._Loader, "get_single_node", never)
    loaded = files.load(HEAD + "#" * files.MAX_FILE_BYTES)
    (found,) = loaded.errors
    assert (found.issue.code, found.line) == ("file.too_large", None)
    assert describe_with_place(found) == (
        "The file is 257 KB; a scheme file may be at most 256 KB."
    )


def test_numbers_within_the_limits_are_read():
    for text in ("9" * 30, "0.000001", "1.5e+3", "-12_000", "0.0", "123456789012345678"):
        yamlguard.check_number(text, 1)
    for text in ("9" * 31, "1e31", "1e-31", "0." + "0" * 31 + "1"):
        with pytest.raises(yamlguard.Refused):
            yamlguard.check_number(text, 1)
    for text in ("A01", "2026-07", "1:30", "+86 138 0013 8000", ".inf", "1.2.3"):
        yamlguard.check_number(text, 1)  # not numbers: left to the readers


def test_the_exporter_never_writes_anchors_so_every_template_reads_back():
    for template in templates.TEMPLATES:
        scheme = templates.load_template(template.code)
        text = files.dump(scheme)
        node, _loader = yamlguard.compose(text, files.MAX_FILE_BYTES)  # refuses any anchor
        assert node is not None
        assert files.load(text).scheme == scheme
    shared = {"max": 5}
    dumped = yaml.dump({"a": shared, "b": shared}, Dumper=files._Dumper)
    assert "&" not in dumped and "*" not in dumped


@pytest.mark.parametrize(
    "text, code",
    [
        (LAUGHS.replace("kaohe_scheme: 1\n", ""), "file.alias"),
        ("period: 2026-Q3\nsubjects: " + "[" * 3000, "file.too_deep"),
        ("period: 2026-Q3\nsubjects:\n- key: E1\n  events:\n  - {count: 1e999999999}\n", None),
        ("period: 2026-Q3\nsubjects: []\nx: " + "9" * 5001, "file.number_too_long"),
        ("period: 2026-Q3\n" + "#" * tryout.MAX_FILE_BYTES, "file.too_large"),
    ],
)
def test_hostile_inputs_files_are_refused(text, code):
    scheme = templates.load_template(templates.TEMPLATES[0].code)
    read = tryout.read_inputs(text, scheme)
    assert not read.ok
    problem = read.problems[0]
    assert problem.code == (code or "file.number_too_large")
    assert "%(" not in describe_input(problem)
