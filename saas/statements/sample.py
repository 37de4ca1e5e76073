"""Sample statements: a signed 考核结果单 with sample scores, so a new tenant can see the
layout, the signature and the verification page before any cycle has run."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.models.audit import record
from saas.models.statement import SAMPLE_KIND, Statement
from saas.models.user import User
from saas.qrcodes import qr_svg
from saas.rendering import render
from saas.signing.authority import authority_certificate
from saas.signing.identity import tenant_signing_pair
from saas.signing.pdf import render_pdf, sign_pdf

if TYPE_CHECKING:  # workers depend on saas, never the other way round at run time
    from cryptography import x509

    from workers.runtime import JobContext

Progress = Callable[[int, str], None]

SERIAL_LENGTH = 40  # Statement.serial is String(40)
_SERIAL_RANDOM_HEX = 10
# Whatever of the slug fits: 20 + "-" + YYYYMMDD + "-" + 10 hex = 40.
_SERIAL_PREFIX_LENGTH = SERIAL_LENGTH - 2 - 8 - _SERIAL_RANDOM_HEX


def noop(percent: int, stage: str) -> None:
    """The default progress callback: nobody is watching."""


class UserNotFound(LookupError):
    """The statement's person is not an account of this tenant."""


@dataclass(frozen=True)
class SampleSection:
    name_zh: str
    name_en: str
    maximum: Decimal
    score: Decimal

    @property
    def percent(self) -> Decimal:
        return _percent(self.score, self.maximum)


@dataclass(frozen=True)
class Band:
    threshold: Decimal
    label_zh: str
    label_en: str
    consequence_zh: str
    consequence_en: str


# The four sections of the reference scheme 精准化微笑服务 (source 004, article 4) with their
# maxima; the scores are made up and the statement labels them as sample data.
SAMPLE_SECTIONS = (
    SampleSection("遵章守纪", "Rules and discipline", Decimal(20), Decimal(18)),
    SampleSection("文明礼貌", "Courtesy", Decimal(10), Decimal(9)),
    SampleSection("优质服务", "Service quality", Decimal(50), Decimal(46)),
    SampleSection("思想道德", "Ethics and conduct", Decimal(20), Decimal(19)),
)

# Highest threshold first. The retraining threshold is lost in the source; 80 is Kaohe's
# default and the statement says so.
REFERENCE_BANDS = (
    Band(Decimal(95), "最佳微笑奖", "Best Smile Award", "奖励 ¥500", "award ¥500"),
    Band(Decimal(90), "微笑大使奖", "Smile Ambassador Award", "奖励 ¥300", "award ¥300"),
    Band(Decimal(85), "微笑风采奖", "Smile Style Award", "奖励 ¥200", "award ¥200"),
    Band(Decimal(80), "未获奖", "No award", "无奖励", "no award"),
    Band(
        Decimal(0),
        "待培训",
        "Retraining",
        "脱岗培训一周并考试",
        "one week of off-post training and an exam",
    ),
)

BAND_LEGEND = (
    {"zh": "≥95 最佳微笑奖，奖励 ¥500", "en": "≥95 Best Smile Award, ¥500"},
    {"zh": "≥90 微笑大使奖，奖励 ¥300", "en": "≥90 Smile Ambassador Award, ¥300"},
    {"zh": "≥85 微笑风采奖，奖励 ¥200", "en": "≥85 Smile Style Award, ¥200"},
    {
        "zh": "低于 80（默认值，原文缺失一位数字）脱岗培训一周并考试",
        "en": "below 80 (a default: the source lost a digit) one week of off-post training "
        "and an exam",
    },
)


def _percent(score: Decimal, maximum: Decimal) -> Decimal:
    return (score * 100 / maximum).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def band_for(score: Decimal, bands: tuple[Band, ...] = REFERENCE_BANDS) -> Band:
    """The highest band whose threshold the score reaches (bands are thresholds, no gaps)."""
    return next(band for band in bands if score >= band.threshold)


def new_serial(slug: str, issued_on: dt.date) -> str:
    """``<SLUG>-<YYYYMMDD>-<10 hex>``, at most 40 characters.

    A long slug is cut to its first 20 characters; verification by serial therefore matches
    tenants by prefix and then looks the serial up in each (see verification.verify_serial).
    """
    random_part = secrets.token_hex(_SERIAL_RANDOM_HEX // 2).upper()
    return f"{serial_prefix(slug)}-{issued_on:%Y%m%d}-{random_part}"


def serial_prefix(slug: str) -> str:
    """The part of a tenant's serials that names the tenant."""
    return slug.upper()[:_SERIAL_PREFIX_LENGTH].rstrip("-")


def verify_url(base_url: str, serial: str) -> str:
    return f"{base_url.rstrip('/')}/verify?serial={quote(serial)}"


def _chart(sections: tuple[SampleSection, ...]) -> dict[str, Any]:
    bar_x, bar_width, row_height, top = 64, 286, 28, 22
    rows = [
        {
            "y": top + index * row_height,
            "name_zh": section.name_zh,
            "score": section.score,
            "maximum": section.maximum,
            "width": (section.score * bar_width / section.maximum).quantize(Decimal("0.1")),
        }
        for index, section in enumerate(sections)
    ]
    height = top + len(sections) * row_height + 4
    return {"bar_x": bar_x, "bar_width": bar_width, "height": height, "rows": rows}


def _period(moment: dt.datetime) -> tuple[str, str]:
    quarter = (moment.month - 1) // 3 + 1
    return f"{moment.year}年第{quarter}季度", f"{moment.year}-Q{quarter}"


def sample_statement_html(
    *,
    tenant_name: str,
    person_name: str,
    serial: str,
    issued_at: dt.datetime,
    verification_url: str,
) -> str:
    """The sample statement's HTML; ``issued_at`` already in the tenant's time zone."""
    total = sum((s.score for s in SAMPLE_SECTIONS), Decimal(0))
    maximum = sum((s.maximum for s in SAMPLE_SECTIONS), Decimal(0))
    period_zh, period_en = _period(issued_at)
    return render(
        "pdf/sample_statement.html",
        tenant_name=tenant_name,
        person_name=person_name,
        serial=serial,
        issued_at=f"{issued_at:%Y-%m-%d %H:%M} ({issued_at.tzname()})",
        period_zh=period_zh,
        period_en=period_en,
        scheme_zh="精准化微笑服务（参考方案）",
        scheme_en="Precision smile service (reference scheme)",
        sections=SAMPLE_SECTIONS,
        total=total,
        maximum=maximum,
        total_percent=_percent(total, maximum),
        band=band_for(total),
        band_legend=BAND_LEGEND,
        chart=_chart(SAMPLE_SECTIONS),
        qr_svg=qr_svg(verification_url),
        verify_url=verification_url,
    )


def _tenant_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def find_statement_by_hash(session: Session, sha256: str) -> Statement | None:
    """The statement whose signed PDF has this SHA-256 (hex), in the session's tenant."""
    return session.scalar(
        select(Statement)
        .where(Statement.sha256 == sha256.lower())
        .order_by(Statement.id.desc())
        .limit(1)
    )


def _platform_ca(ctx: JobContext) -> x509.Certificate:
    with ctx.db.public() as public:
        ca = authority_certificate(public)
    if ca is None:
        raise RuntimeError("the platform CA does not exist yet; provision a tenant first")
    return ca


def issue_sample_statement(
    ctx: JobContext, user_id: int, progress: Progress = noop, *, actor: str = "system"
) -> Statement:
    """Render, sign and store a sample statement for one of the tenant's users.

    The statement row and its audit row commit together or not at all.
    """
    tenant = ctx.tenant
    progress(5, "loading")
    ca_certificate = _platform_ca(ctx)
    with ctx.db.tenant(ctx.schema) as session:
        user = session.get(User, user_id)
        if user is None:
            raise UserNotFound(f"user {user_id} does not exist in tenant {tenant.slug!r}")
        pair = tenant_signing_pair(session, ctx.settings.key_passphrase)
        issued_at = dt.datetime.now(_tenant_zone(tenant.time_zone))
        serial = new_serial(tenant.slug, issued_at.date())
        progress(20, "rendering")
        html = sample_statement_html(
            tenant_name=tenant.name,
            person_name=user.name,
            serial=serial,
            issued_at=issued_at,
            verification_url=verify_url(ctx.settings.base_url, serial),
        )
        pdf = render_pdf(html)
        progress(70, "signing")
        signed = sign_pdf(
            pdf,
            pair,
            ca_certificate,
            signer_name=tenant.name,
            reason=f"考核结果单（示例） Sample performance statement {serial}",
            location=tenant.name,
        )
        progress(85, "storing")
        statement = _store(session, signed, serial, user.id, actor)
    progress(100, "done")
    return statement


def _store(session: Session, signed: bytes, serial: str, user_id: int, actor: str) -> Statement:
    statement = Statement(
        serial=serial,
        kind=SAMPLE_KIND,
        user_id=user_id,
        sha256=hashlib.sha256(signed).hexdigest(),
        pdf=signed,
    )
    session.add(statement)
    session.flush()
    after = {
        "serial": serial,
        "kind": statement.kind,
        "user_id": user_id,
        "sha256": statement.sha256,
    }
    record(session, actor, "statement.issued", "statement", statement.id, after=after)
    return statement
