import pytest

from saas.people.names import pinyin_initials


@pytest.mark.parametrize(
    ("name", "initials"),
    [("张三丰", "zsf"), ("欧阳明月", "oymy"), ("Li Lei", "ll"), ("王 小明", "wxm"), ("", "")],
)
def test_initials_of_chinese_and_latin_names(name, initials):
    assert pinyin_initials(name) == initials
