"""The import/export file format: two kinds of sheet, their columns, and the words they accept.

Headers, sheet names and the values of "kind" and "status" are part of the file format, not
page text: an import must recognise the Chinese and the English words whatever language the
page is shown in and whatever state the translation catalogs are in, and an export must write
exactly the words the import reads back. So they are spelt out here in both languages rather
than going through gettext. They are the words the pages use (职级, 场所, 在职, …); a test holds
the two together, and other words people write (岗位级别, 站点, 在岗) are read as aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = "units"
EMPLOYEES = "employees"
KINDS = (UNITS, EMPLOYEES)

# File languages: Chinese for a zh page, English for everything else.
ZH, EN = "zh", "en"


@dataclass(frozen=True)
class Column:
    field: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_length: int | None = None

    def header(self, lang: str) -> str:
        return self.zh if lang == ZH else self.en


UNIT_COLUMNS = (
    Column("code", "部门编码", "Code", ("编码", "单位编码", "组织编码", "unit code"), True, 40),
    Column("name", "部门名称", "Name", ("名称", "单位名称", "组织名称", "unit name"), True, 200),
    Column(
        "parent_code",
        "上级部门编码",
        "Parent code",
        ("上级编码", "上级单位编码", "parent", "parent unit code"),
        max_length=40,
    ),
    Column("kind", "部门类型", "Kind", ("类型", "单位类型", "type", "unit kind"), True),
    Column("category", "部门类别", "Category", ("类别", "单位类别"), max_length=60),
    Column(
        "manager_number",
        "负责人工号",
        "Manager number",
        ("主管工号", "负责人", "manager", "manager employee number"),
        max_length=40,
    ),
)

EMPLOYEE_COLUMNS = (
    Column(
        "number",
        "工号",
        "Employee number",
        ("员工编号", "员工工号", "职工号", "number", "employee no", "staff number"),
        True,
        40,
    ),
    Column("name", "姓名", "Name", ("员工姓名", "employee name"), True, 100),
    Column(
        "unit_code",
        "部门编码",
        "Unit code",
        ("单位编码", "所属部门编码", "unit", "department code"),
        True,
        40,
    ),
    Column("position", "岗位", "Position", ("职位", "岗位名称"), max_length=100),
    Column(
        "position_level", "职级", "Position level", ("岗位级别", "级别", "level"), max_length=60
    ),
    Column("employment_form", "用工形式", "Employment form", ("用工类型",), max_length=40),
    Column(
        "manager_number",
        "直接上级工号",
        "Manager number",
        ("上级工号", "直属上级工号", "manager", "manager employee number"),
        max_length=40,
    ),
    Column("hire_date", "入职日期", "Hire date", ("入职时间", "date of hire", "hired")),
    Column("status", "状态", "Status", ("在职状态", "员工状态", "employee status")),
    Column(
        "mobile",
        "手机号",
        "Mobile",
        ("手机", "手机号码", "移动电话", "联系电话", "mobile number", "mobile phone", "phone"),
    ),
    Column("email", "邮箱", "E-mail", ("电子邮箱", "电子邮件", "邮件", "email address")),
)

COLUMNS: dict[str, tuple[Column, ...]] = {UNITS: UNIT_COLUMNS, EMPLOYEES: EMPLOYEE_COLUMNS}

SHEET_NAMES = {UNITS: {ZH: "部门", EN: "units"}, EMPLOYEES: {ZH: "人员", EN: "employees"}}
INSTRUCTIONS_SHEET = {ZH: "填写说明", EN: "instructions"}
LISTS_SHEET = {ZH: "下拉选项", EN: "lists"}  # hidden: the words of the drop-down lists
_SHEET_ALIASES = {
    UNITS: {"部门", "units", "unit", "组织", "组织机构", "单位", "部门表"},
    EMPLOYEES: {"人员", "employees", "employee", "people", "员工", "人员表", "员工表"},
}

# Stored value -> (Chinese, English) as written in files; the import also accepts the aliases.
UNIT_KIND_WORDS = {
    "company": ("公司", "company"),
    "business_unit": ("事业部", "business unit"),
    "department": ("部门", "department"),
    "team": ("班组", "team"),
    "site": ("场所", "site"),
    "provider": ("外包服务单位", "service provider"),
}
_UNIT_KIND_ALIASES = {
    "company": ("集团", "总公司", "分公司"),
    "business_unit": ("业务单元", "business_unit"),
    "department": ("科室", "处室", "dept"),
    "team": ("小组", "班", "group"),
    "site": ("站点", "网点", "location"),
    "provider": ("服务商", "外包服务商", "供应商", "provider", "outsourced provider"),
}
STATUS_WORDS = {
    "active": ("在职", "active"),
    "on_leave": ("休假", "on leave"),
    "left": ("离职", "left"),
}
_STATUS_ALIASES = {
    "active": ("在岗", "正常"),
    "on_leave": ("on_leave", "请假", "休假中"),
    "left": ("已离职", "离岗"),
}


def normalise(text: str) -> str:
    """A header or word as compared: no case, spaces, underscores, '*' marks or notes in
    brackets, so "入职日期（YYYY-MM-DD）" and "Hire_Date*" both match."""
    text = re.sub(r"[（(].*?[）)]", "", text)
    return re.sub(r"[\s_*\-:：]+", "", text).lower()


def _lookup(mapping: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise(word): key for key, words in mapping.items() for word in (key, *words)}


def _header_lookup(columns: tuple[Column, ...]) -> dict[str, str]:
    return _lookup({c.field: (c.zh, c.en, *c.aliases) for c in columns})


HEADER_LOOKUP = {kind: _header_lookup(columns) for kind, columns in COLUMNS.items()}
UNIT_KIND_LOOKUP = _lookup(
    {k: (*UNIT_KIND_WORDS[k], *_UNIT_KIND_ALIASES[k]) for k in UNIT_KIND_WORDS}
)
STATUS_LOOKUP = _lookup({k: (*STATUS_WORDS[k], *_STATUS_ALIASES[k]) for k in STATUS_WORDS})
SHEET_LOOKUP = _lookup({kind: tuple(names) for kind, names in _SHEET_ALIASES.items()})


def column(kind: str, field: str) -> Column:
    return next(c for c in COLUMNS[kind] if c.field == field)


def header_field(kind: str, header: str) -> str | None:
    return HEADER_LOOKUP[kind].get(normalise(header))


def sheet_kind(name: str) -> str | None:
    return SHEET_LOOKUP.get(normalise(name))


def unit_kind_word(value: str, lang: str) -> str:
    zh, en = UNIT_KIND_WORDS[value]
    return zh if lang == ZH else en


def status_word(value: str, lang: str) -> str:
    zh, en = STATUS_WORDS[value]
    return zh if lang == ZH else en


def file_language(locale_language: str) -> str:
    return ZH if locale_language == "zh" else EN
