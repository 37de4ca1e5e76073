"""Searching Chinese names the way people type them: by pinyin initials (张三丰 → zsf)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def pinyin_initials(name: str) -> str:
    """Lower-case initials: one per Chinese character, one per word of Latin script."""
    initials = []
    for part in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default"):
        # Non-Chinese runs come back whole ("Li Lei"): take each word's first character.
        initials.extend(word[0] for word in part.split() if word[0].isalnum())
    return "".join(initials).lower()
