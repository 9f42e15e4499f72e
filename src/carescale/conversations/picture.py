"""The local picture: what the council spends on each of the five areas today (official lines
mapped to areas by ``data/conversation_areas.yaml``, or the council's own figure), what
inspectors, staff and people say works, and the money the council and NHS expect in coming
years (central, low and high cases from the official spend trend and the council's own figures).

Everything here is a pure function of the official figures and the conversation's own entries;
:mod:`.service` reads the entries from the store and calls it.
"""

from __future__ import annotations

import functools
import re
import statistics
from typing import Any, Iterable, Literal

from pydantic import Field

from ..errors import ConversationError
from ..io.messages import DATA_DIR, parse_model
from ..io.yaml import read_yaml
from ..schema.base import StrictModel
from .model import (
    AREA_NUMBERS,
    AreaPicture,
    LocalPicture,
    Money,
    Outlook,
    OutlookYear,
    OwnFigure,
    PayerOutlook,
    Saying,
    SpendLine,
)

MAPPING_FILE = DATA_DIR / "conversation_areas.yaml"
AREAS_FILE = DATA_DIR / "transformation_areas.yaml"
#: How many financial years the outlook shows after the price base year.
OUTLOOK_YEARS = 5
TREND_SOURCE = ("MHCLG RO3 outturn, total adult social care expenditure (C3), 2022-23 to 2024-25, re-priced; "
                "real change a year = (2024-25 / 2022-23) ^ (1/2) - 1")
SPREAD_SOURCE = ("low and high cases: the central rate less and plus the gap from the median to the 10th and "
                 "90th percentiles of every English council's real change a year over the same years")


class MappedLine(StrictModel):
    id: str
    source: Literal["ro3", "ascfr"]
    line: str
    age: str | None = None
    area: Literal[1, 2, 3, 4, 5]
    why: str


class NotMapped(StrictModel):
    line: str
    why: str


class Mapping(StrictModel):
    lines: tuple[MappedLine, ...] = Field(min_length=1)
    no_line: dict[int, str] = {}
    not_mapped: tuple[NotMapped, ...] = ()


@functools.lru_cache(maxsize=1)
def area_mapping() -> Mapping:
    """The mapping of official spend lines to the five areas, with the reason for each."""
    from ..io.paths import display_path

    m = parse_model(Mapping, read_yaml(MAPPING_FILE), display_path(MAPPING_FILE))
    ids = [x.id for x in m.lines]
    if len(set(ids)) != len(ids):
        raise ConversationError(f"{display_path(MAPPING_FILE)}: lines: a line id is listed twice")
    return m


@functools.lru_cache(maxsize=1)
def area_titles() -> dict[int, str]:
    """The paper's words for the five areas (data/transformation_areas.yaml)."""
    data = read_yaml(AREAS_FILE)
    return {int(k): str(v) for k, v in data["areas"].items()}


def own_figure(spend: Any, price_base: str, *, by: str, at: Any = None) -> OwnFigure:
    """The council's own figure (an :class:`~.model.OwnSpendIn`) re-priced to ``price_base``."""
    import datetime as dt

    from ..prices import price_base as _pb

    factor = _pb(price_base).factor(spend.price_year)
    money = Money(real=round(spend.amount * factor, 2), price_base=price_base,
                  cash=None if spend.price_year == price_base else spend.amount,
                  cash_year=None if spend.price_year == price_base else spend.price_year)
    return OwnFigure(amount=money, source=spend.source, entered_by=by, entered_at=at or dt.datetime.now(dt.timezone.utc))


def _money(item: dict[str, Any] | None, price_base: str) -> Money | None:
    if item is None or item.get("real") is None:
        return None
    return Money(real=item["real"], price_base=price_base, cash=item["cash"], cash_year=item["year"])


def official_lines(baseline: dict[str, Any]) -> list[SpendLine]:
    """Each mapped official line with its latest figure (RO3: the latest year with one) in the
    baseline's price base; a line with no figure says why."""
    pb = baseline["prices"]["year"]
    out = []
    for m in area_mapping().lines:
        if m.source == "ascfr":
            item = next((s for s in baseline["by_setting"] if s["setting"] == m.line and s["age"] == m.age), None)
            label = f"{m.line} ({m.age}), ASC-FR"
        else:
            rows = [r for y in baseline["by_reason"] for r in baseline["by_reason"][y] if r["reason"] == m.line]
            have = [r for r in rows if r["real"] is not None]
            item = have[-1] if have else (rows[-1] if rows else None)
            label = f"{m.line}, RO3"
        money = _money(item, pb)
        out.append(SpendLine(
            id=m.id, label=label, area=m.area, why=m.why, money=money,
            source=(f"{item['source']} ({item['year']})" if item else "not in the official figures"),
            cell=item.get("cell") if item else None,
            missing=None if money else ((item or {}).get("missing") or "no figure"),
        ))
    return out


#: Why a spend line by primary support reason has no area of its own.
BY_REASON = ("spend by primary support reason serves people in every area; a reduction takes the area of the "
             "'grow' proposals that make it possible")


def reducible_lines(baseline: dict[str, Any]) -> list[SpendLine]:
    """The services a 'reduce' proposal may name: the mapped official lines, and RO3's spend by
    primary support reason and age in its latest year with a figure (area 0: no one area; the
    proposal takes its 'grow' proposals' area)."""
    from ..official.spend_baseline import services

    pb = baseline["prices"]["year"]
    out = official_lines(baseline)
    for x in services(baseline):
        if not x["id"].startswith("ro3:") or x["id"].split(":")[3] == "all ages":
            continue
        out.append(SpendLine(id=x["id"], label=f"{x['label']}, RO3", area=0, why=BY_REASON,
                             money=Money(real=x["real"], price_base=pb, cash=x["cash"], cash_year=x["year"]),
                             source=f"{x['source']} ({x['year']})", cell=x.get("cell")))
    return out


def area_pictures(baseline: dict[str, Any], own: dict[int, OwnFigure], sayings: Iterable[Saying] = ()) -> list[AreaPicture]:
    """The five areas' spend today: the official lines' sum and the council's own figure (both
    shown; the own figure is the one used where given)."""
    pb = baseline["prices"]["year"]
    lines = official_lines(baseline)
    said = list(sayings)
    titles = area_titles()
    out = []
    for n in AREA_NUMBERS:
        mine = [x for x in lines if x.area == n]
        have = [x for x in mine if x.money is not None]
        official = Money(real=round(sum(x.money.real for x in have), 2), price_base=pb) if have else None  # type: ignore[union-attr]
        o = own.get(n)
        if o is not None:
            used, spend = "own", o.amount
            note = ("The council's own figure is used" + (" (the official lines' sum is shown beside it)" if official else
                                                           "; there is no official figure for this area"))
        elif official is not None:
            used, spend = "official", official
            gaps = [x for x in mine if x.money is None]
            note = "From official figures" + (f"; {len(gaps)} line{'s' if len(gaps) > 1 else ''} with no figure "
                                              f"({gaps[0].missing})" if gaps else "")
        else:
            used, spend = "none", None
            why = area_mapping().no_line.get(n) or (f"no official figure ({mine[0].missing})" if mine else "no official line")
            note = f"No official figure for this area: {why}; the council can give its own figure"
        out.append(AreaPicture(area=n, title=titles[n], official=official, official_lines=mine, own=o, used=used,
                               spend=spend, note=note, sayings=[s for s in said if s.area == n]))
    return out


# -- the outlook -------------------------------------------------------------------------------


def _fy(label: str) -> int:
    """'2024/25' or '2024-25' -> 2024."""
    m = re.match(r"(\d{4})", label)
    if not m:
        raise ConversationError(f"year: {label!r} is not a financial year; write it as 2024/25")
    return int(m.group(1))


def _label(first: int) -> str:
    return f"{first}/{(first + 1) % 100:02d}"


def annual_trend(total: list[dict[str, Any]]) -> tuple[float, str, str] | None:
    """(real change a year, first year, last year) of RO3 total expenditure (C3), or None."""
    known = [t for t in total if t["measure"].endswith("(RO3 C3)") and t["real"] is not None]
    if len(known) < 2:
        return None
    first, last = known[0], known[-1]
    span = _fy(last["year"]) - _fy(first["year"])
    if span <= 0 or first["real"] <= 0:
        return None
    return (last["real"] / first["real"]) ** (1 / span) - 1, first["year"], last["year"]


@functools.lru_cache(maxsize=4)
def england_trends(price_year: str) -> tuple[float, float, float, int]:
    """(10th percentile, median, 90th percentile, councils) of every council's real change a year."""
    from ..official.councils import read_council_figures
    from ..official.spend_baseline import council_baseline

    figs = read_council_figures()
    rates = []
    for code in figs.councils:
        t = annual_trend(council_baseline(code, price_year, figs)["total"])
        if t is not None:
            rates.append(t[0])
    if len(rates) < 10:
        raise ConversationError("outlook: too few councils have an RO3 trend to give a low and high case")
    q = statistics.quantiles(rates, n=10)
    return q[0], statistics.median(rates), q[-1], len(rates)


def _start(baseline: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The council's latest official spend to start from: RO3 net current expenditure (C7), else
    RO3 total (C3), else ASC-FR gross current expenditure."""
    for items, what in ((baseline["net_total"], "RO3 net current expenditure on adult social care (C7)"),
                        ([t for t in baseline["total"] if t["measure"].endswith("(RO3 C3)")], "RO3 total adult social care expenditure (C3)"),
                        ([t for t in baseline["total"] if not t["measure"].endswith("(RO3 C3)")], "ASC-FR gross current expenditure")):
        have = [i for i in items if i.get("real") is not None]
        if have:
            return have[-1], f"{what}, {have[-1]['year']}, re-priced to {baseline['prices']['year']}"
    return None, "no official spend figure"


def _cases(start_year: int, start: float, own: dict[int, tuple[float, str]], rates: dict[str, float],
           first: int, pb: str) -> list[OutlookYear]:
    """Each year from ``first`` for OUTLOOK_YEARS years: grown from the start (or the latest own
    figure before it) at each case's rate; a year with the council's own figure uses it as central."""
    out = []
    for y in range(first, first + OUTLOOK_YEARS):
        anchors = [k for k in own if k <= y]
        base_year, base = (max(anchors), own[max(anchors)][0]) if anchors else (start_year, start)
        n = y - base_year
        vals = {c: round(base * (1 + r) ** n, 2) for c, r in rates.items()}
        mine = own.get(y)
        out.append(OutlookYear(
            year=_label(y), central=Money(real=vals["central"], price_base=pb), low=Money(real=vals["low"], price_base=pb),
            high=Money(real=vals["high"], price_base=pb),
            own=Money(real=mine[0], price_base=pb) if mine else None, own_source=mine[1] if mine else None))
    return out


def outlook(baseline: dict[str, Any], own: Iterable[Any] = ()) -> Outlook:
    """Central, low and high cases of the money the council and the NHS expect, each of the
    OUTLOOK_YEARS years after the price base year, in the baseline's price base.

    ``own``: the council's :class:`~.model.OutlookIn` figures (already in the price base).
    Council: from its latest official spend, at its own RO3 real trend a year (the median of
    England's councils where it has none), low and high by England's spread. NHS: carescale holds
    no official NHS spend by council, so only from the NHS figures given, at the council's rates."""
    pb = baseline["prices"]["year"]
    lo, med, hi, n = england_trends(pb)
    mine = annual_trend(baseline["total"])
    if mine is not None:
        central, gsrc = mine[0], f"{TREND_SOURCE}; {baseline['name']}: {mine[1]} to {mine[2]}"
    else:
        central = med
        gsrc = (f"{baseline['name']} has no RO3 trend (no return for two of the years); the median of "
                f"{n} English councils' real change a year is used ({TREND_SOURCE})")
    rates = {"central": central, "low": central - (med - lo), "high": central + (hi - med)}
    rates = {k: round(v, 6) for k, v in rates.items()}
    first = _fy(pb) + 1
    figures = list(own)
    result = {}
    for payer in ("council", "nhs"):
        given = {_fy(f.year): (float(f.amount), f.source) for f in figures if f.payer == payer}
        if payer == "council":
            item, ssrc = _start(baseline)
            start_year = _fy(item["year"]) if item else None
            start = item["real"] if item else None
        else:
            item, ssrc, start_year, start = None, "carescale holds no official NHS spend by council", None, None
        if start is None and given:
            start_year = min(given)
            start, ssrc = given[start_year][0], f"the {('council' if payer == 'council' else 'NHS')}'s own figure for {_label(start_year)}"
        if start is None:
            result[payer] = PayerOutlook(
                payer=payer, start=None, start_source=ssrc, growth=rates, growth_source=gsrc, years=[],
                note=f"No figure to start from: {ssrc}; give the {'council' if payer == 'council' else 'NHS'}'s own expected money")
            continue
        years = _cases(start_year, start, given, rates, first, pb)  # type: ignore[arg-type]
        note = ("From official figures" if item and not given else
                "From official figures and the council's own figures" if item else
                f"From the {'council' if payer == 'council' else 'NHS'}'s own figures")
        if mine is not None and not lo <= mine[0] <= hi:
            note += (f"; {baseline['name']}'s own trend ({mine[0]:.1%} a year) is {'above' if mine[0] > hi else 'below'} "
                     f"that of nine in ten English councils ({lo:.1%} to {hi:.1%} a year): "
                     "check it against the council's own budget figures")
        result[payer] = PayerOutlook(payer=payer, start=Money(real=round(start, 2), price_base=pb,
                                                              cash=item["cash"] if item else None,
                                                              cash_year=item["year"] if item else None),
                                     start_source=ssrc, growth=rates, growth_source=gsrc + "; " + SPREAD_SOURCE,
                                     years=years, note=note)
    return Outlook(price_base=pb, council=result["council"], nhs=result["nhs"])


def local_picture(baseline: dict[str, Any], own: dict[int, OwnFigure], sayings: Iterable[Saying] = (),
                  own_outlook: Iterable[Any] = ()) -> LocalPicture:
    """The whole local picture of a council (its :func:`~carescale.official.spend_baseline.council_baseline`)."""
    return LocalPicture(
        council=baseline["code"], council_name=baseline["name"], price_base=baseline["prices"]["year"],
        price_statement=baseline["prices"]["statement"], areas=area_pictures(baseline, own, sayings),
        outlook=outlook(baseline, own_outlook), missing=list(baseline["missing"]))
