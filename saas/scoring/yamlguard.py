"""Reading YAML written by people without letting one file stop a worker.

PyYAML's safe loader still expands aliases (a 439-byte "billion laughs" file of nested
aliases ran for 30 s), recurses once per nesting level (3,000 nested brackets overflow
Python's stack) and turns any integer or exponent into a number however large (a 5,001-digit
integer exceeds Python's limit; ``1.0e+999999999`` becomes a Decimal no arithmetic survives).
``compose`` refuses each of these while the file is being read, before anything is expanded
or converted, and says on which line; a file that is not YAML at all is refused the same way,
with a code for what PyYAML found and the line and column where it stopped:

- size: at most ``max_bytes`` of UTF-8, checked before parsing;
- anchors (``&a``) and aliases (``*a``): refused outright. Scheme files are written by Kaohe's
  exporter, which never emits them, and by people, who do not need them;
- nesting: at most ``MAX_DEPTH`` levels (a scheme file has about eight);
- numbers: every scalar that reads as a number has at most ``MAX_DIGITS`` digits and a
  magnitude between 10^-MAX_EXPONENT and 10^MAX_EXPONENT (or is zero) -- quoted ones too,
  since the readers turn text such as "1e999999999" into a Decimal.

No Flask here: the codes are said in the user's language by ``saas.schemes.messages``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

MAX_DEPTH = 32
MAX_DIGITS = 30
MAX_EXPONENT = 30
# A number that long cannot be within the limits above; longer text is not looked at further.
_NUMBER_TEXT_LIMIT = MAX_DIGITS + 20
_NUMBER = re.compile(r"[-+]?(?=[0-9_]*\.?[0-9])[0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?")
_NUMERIC_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class Refused(Exception):
    """The file is refused before it is read through; ``code`` and ``params`` say why."""

    def __init__(self, code: str, line: int | None, column: int | None = None, **params: Any):
        super().__init__(code)
        self.code = code
        self.line = line  # 1-based; None for the file as a whole
        self.column = column  # 1-based, where the parser stopped; None if not known
        self.params = params


# PyYAML's findings, by the words of its message, as codes said in the user's language
# (saas.schemes.messages); in the order they are tried.
_SYNTAX = (
    ("found character '\\t'", "yaml.tab"),
    ("that cannot start any token", "yaml.bad_start"),
    ("mapping values are not allowed", "yaml.colon"),
    ("could not find expected ':'", "yaml.no_colon"),
    ("expected <block end>", "yaml.indentation"),
    ("sequence entries are not allowed", "yaml.dash"),
    ("found unexpected end of stream", "yaml.unclosed_quote"),
    ("expected ',' or ", "yaml.unclosed_bracket"),
    ("unclosed '[' or '{'", "yaml.unclosed_bracket"),
    ("unknown escape character", "yaml.escape"),
    ("but found another document", "yaml.several_documents"),
    ("unacceptable character", "yaml.control_character"),
    ("expected the node content", "yaml.no_value"),
)
_QUOTED = re.compile(r"'(.)'")


def syntax(error: yaml.YAMLError) -> Refused:
    """What PyYAML found wrong, as a code with the line and column it stopped at; a finding
    without a code of its own keeps PyYAML's (English) words as ``problem``."""
    problem = str(getattr(error, "problem", None) or error)
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    code = next((code for words, code in _SYNTAX if words in problem), "yaml.other")
    context = str(getattr(error, "context", None) or "")
    if "<stream end>" in problem and "flow" in context:  # the file ended inside [ or {
        code = "yaml.unclosed_bracket"
    found = _QUOTED.search(problem)
    return Refused(code, line, column, problem=problem, char=found.group(1) if found else "")


def _line(mark: yaml.Mark | None) -> int | None:
    return mark.line + 1 if mark is not None else None


def _shown(text: str) -> str:
    """A number as a message quotes it: a 5,001-digit one is cut short."""
    return text if len(text) <= 24 else f"{text[:20]}…"


def check_number(text: str, line: int | None, *, numeric_tag: bool = False) -> None:
    """Refuse a number with too many digits or too large an exponent. Text that is not a
    number passes, unless YAML resolved it as one (``numeric_tag``: hex, 1_000, 1:30)."""
    plain = text.strip()
    if numeric_tag and len(plain) > _NUMBER_TEXT_LIMIT:
        raise Refused("file.number_too_long", line, value=_shown(plain), limit=MAX_DIGITS)
    if not _NUMBER.fullmatch(plain):
        return
    mantissa, _e, exponent = plain.lower().partition("e")
    digits = re.sub(r"[^0-9]", "", mantissa).lstrip("0")
    if len(digits) > MAX_DIGITS:
        raise Refused("file.number_too_long", line, value=_shown(plain), limit=MAX_DIGITS)
    # The exponent's own length first: Decimal would accept 1e999999999999999999 and choke later.
    if len(exponent.lstrip("+-").lstrip("0")) > 4:
        raise Refused("file.number_too_large", line, value=_shown(plain), limit=MAX_EXPONENT)
    try:
        value = Decimal(plain.replace("_", ""))
    except InvalidOperation:
        return
    if value and abs(value.adjusted()) > MAX_EXPONENT:
        raise Refused("file.number_too_large", line, value=_shown(plain), limit=MAX_EXPONENT)


class Guards:
    """Mixed into a PyYAML loader in front of its Scanner and Composer: checks every node as
    it is composed, so an alias is refused before it is expanded and depth before it
    recurses."""

    _depth = 0

    def fetch_flow_collection_start(self, token_class: type) -> None:
        # The scanner looks ahead over a whole flow collection (it may turn out to be a key),
        # once per open bracket: 3,000 nested brackets cost seconds before the composer
        # sees the first one. So brackets are counted here, as they are scanned.
        if self.flow_level >= MAX_DEPTH:  # type: ignore[attr-defined]
            mark = self.get_mark()  # type: ignore[attr-defined]
            raise Refused("file.too_deep", _line(mark), limit=MAX_DEPTH)
        super().fetch_flow_collection_start(token_class)  # type: ignore[misc]

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise Refused("file.alias", _line(event.start_mark))
        if self._depth >= MAX_DEPTH:
            raise Refused("file.too_deep", _line(event.start_mark), limit=MAX_DEPTH)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1
        if isinstance(node, yaml.ScalarNode):
            check_number(
                str(node.value), _line(node.start_mark), numeric_tag=node.tag in _NUMERIC_TAGS
            )
        return node


class SafeLoader(Guards, yaml.SafeLoader):
    """PyYAML's safe loader with the limits of this module."""


def check_size(text: str, max_bytes: int) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise Refused("file.too_large", None, size=_kb(size), limit=_kb(max_bytes))


def _kb(size: int) -> int:
    return -(-size // 1024)


def compose(
    text: str, max_bytes: int, loader: type[SafeLoader] = SafeLoader
) -> tuple[yaml.Node | None, SafeLoader]:
    """The document's node tree (None for an empty document), and the loader that made it,
    for constructing values from it. Raises ``Refused`` for a file over the limits or one
    that is not YAML."""
    check_size(text, max_bytes)
    try:
        reader = loader(text)
        try:
            return reader.get_single_node(), reader
        finally:
            reader.dispose()
    except yaml.YAMLError as error:
        raise syntax(error) from None
