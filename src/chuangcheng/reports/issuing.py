"""How a subdistrict's 通报 are issued (`ReportSettings`, with real defaults): the issuing office
`{street}创城工作领导小组办公室`, 报 the district's campaign office, 送 the subdistrict's leaders,
发 every community and responsible unit. Documents store `Issuing.as_dict()` in their content, so
a published document keeps the lines it went out with."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.conf import settings

from chuangcheng.org.models import Region
from chuangcheng.reports.models import ReportSettings

DEFAULT_ISSUER = "{street}创城工作领导小组办公室"
DEFAULT_SEND_TO = "街道党工委、办事处领导"
DEFAULT_DISTRIBUTE_TO = "各社区、各责任单位"
MAX_RECTIFY_DAYS = 60


@dataclasses.dataclass(frozen=True)
class Issuing:
    issuer: str
    report_to: str
    send_to: str
    distribute_to: str
    cc: str
    rectify_days: int

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def lines(self) -> list[tuple[str, str]]:
        """The 版记's 报 / 送 / 发 lines that are not empty."""
        return [(label, text) for label, text in (("报", self.report_to), ("送", self.send_to),
                                                  ("发", self.distribute_to)) if text]


def default_issuer(street: Region) -> str:
    configured = str(getattr(settings, "BULLETIN_ISSUER", "") or "")
    return (configured or DEFAULT_ISSUER).replace("{street}", street.name)


def default_report_to(street: Region) -> str:
    parent = street.parent if street.parent_id else None
    return f"{parent.name}创城办" if parent is not None else ""


def issuing_for(street: Region) -> Issuing:
    """The street's settings with the defaults filled in."""
    stored = ReportSettings.objects.filter(street=street).first()
    return Issuing(
        issuer=(stored.issuer if stored and stored.issuer else default_issuer(street)),
        report_to=(stored.report_to if stored and stored.report_to else default_report_to(street)),
        send_to=(stored.send_to if stored and stored.send_to else DEFAULT_SEND_TO),
        distribute_to=(stored.distribute_to if stored and stored.distribute_to else DEFAULT_DISTRIBUTE_TO),
        cc=stored.cc if stored else "",
        rectify_days=stored.rectify_days if stored else 2,
    )


def from_content(content: dict[str, Any], street: Region | None = None) -> Issuing:
    """The issuing lines a document was composed with (older snapshots: its issuer only)."""
    stored = content.get("issuing")
    if isinstance(stored, dict):
        return Issuing(**{f.name: stored.get(f.name, "" if f.name != "rectify_days" else 2)
                          for f in dataclasses.fields(Issuing)})
    base = issuing_for(street) if street is not None else Issuing("", "", "", "", "", 2)
    return dataclasses.replace(base, issuer=str(content.get("issuer") or base.issuer))


def rectify_deadline(day: dt.date, days: int) -> dt.date:
    """The default 整改 deadline: `days` calendar days after the bulletin's day."""
    return day + dt.timedelta(days=max(1, min(int(days), MAX_RECTIFY_DAYS)))
