"""The conversation pack, the report on what people said and the public plan as pages and PDFs
(issue 28; docs/conversations.md, "The pages").

:func:`pack` turns the library's views (:mod:`carescale.conversations.model`: the conversation,
its local picture and proposals) and one register of the text catalogue
(:mod:`carescale.conversations.text`) into what the pack's templates show: every sentence is the
catalogue's, with the library's figures put in (nothing is worked out again here). The same
context draws the web page (``conversations/pack.html``), the easy-read page (the same template,
``easy`` set: larger type) and the PDF (``conversations/pack_print.html``, WeasyPrint, as the
business case is made). :func:`plan` does the same for the public plan.

Every figure is written by :func:`plain_money` in sentences (rounded, "about £7.5 million") and
by :func:`carescale.formatting.money` (whole pounds) in the figures list. User text (what people
say works, a proposal's meaning for people, a comment, a reason) is only ever put into the page
as text: Jinja escapes it and the PDF is made from that same escaped HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from ..formatting import money, people

TEMPLATES = Path(__file__).parent / "templates"
STANCE_KEYS = ("support", "oppose", "not-sure")


def plain_money(x: Any) -> str:
    """Pounds as a reader says them: ``£7.5 million``, ``£250,000``, ``£980``."""
    v = abs(float(x))
    if round(v / 1e5) >= 10:
        text = f"£{v / 1e6:,.1f}".removesuffix(".0") + " million"
    elif v >= 10_000:
        text = f"£{round(v, -3):,.0f}"
    else:
        text = f"£{v:,.0f}"
    return ("minus " + text) if float(x) < 0 and text != "£0" else text


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _real(m: Any) -> float | None:
    return None if m is None else float(_get(m, "real"))


def register_of(easy: bool) -> str:
    return "easy" if easy else "standard"


def text_for(easy: bool, language: str = "en") -> Any:
    from ..conversations.text import catalogue

    return catalogue(language, register_of(easy))


def base_url(cid: str, area: int | None = None, easy: bool = False) -> str:
    if area is None:
        return f"/conversations/{cid}" + ("/easy-read" if easy else "")
    return f"/conversations/{cid}/areas/{area}" + ("/easy-read" if easy else "")


def respond_url(cid: str, proposal: str, easy: bool = False) -> str:
    return f"/conversations/{cid}/respond/{proposal}" + ("?register=easy" if easy else "")


def proposal_view(t: Any, cid: str, p: Any, easy: bool) -> dict[str, Any]:
    kind = _get(p, "kind")
    sentences: list[str] = []
    figures: list[tuple[str, str]] = []  # (money word, whole pounds): the summary list
    f = _get(p, "figures")
    if kind == "grow" and f is not None:
        helped = float(_get(f, "people_helped") or 0)
        if helped >= 0.5:
            sentences.append(t("people_sentence", people=people(helped)))
        cost = _real(_get(f, "cost")) or 0.0
        setup = _real(_get(f, "setup")) or 0.0
        gross = sum(_real(m) or 0.0 for m in (_get(f, "gross_savings") or {}).values())
        net = _real(_get(f, "net")) or 0.0
        if cost >= 0.5:
            sentences.append(t("cost_sentence", amount=plain_money(cost)))
        if setup >= 0.5:
            sentences.append(t("setup_sentence", amount=plain_money(setup)))
        sentences.append(t("saving_sentence", amount=plain_money(gross)))
        sentences.append(t("net_sentence", amount=plain_money(net)) if net >= 0
                         else t("net_cost_sentence", amount=plain_money(-net)))
        month = _get(f, "break_even_month")
        sentences.append(t("break_even_sentence", months=int(month)) if month is not None else t("break_even_never"))
        figures = [(t("words.cost.term"), money(cost)), (t("words.setup.term"), money(setup)),
                   (t("words.saving.term"), money(gross)), (t("words.net.term"), money(net))]
    elif kind == "reduce":
        red = _real(_get(p, "reduction"))
        if red is not None:
            sentences.append(t("reduce_amount_sentence", amount=plain_money(red)))
            figures = [(t("words.saving.term"), money(red))]
    scenario = _get(f, "scenario_id") if f is not None else None
    model_ref, model_kind = _get(p, "model_ref"), _get(p, "model_kind")
    evidence = f"/evidence/{model_ref}" if model_ref and model_kind in ("library", "case-study") else None
    return {
        "id": _get(p, "id"), "number": _get(p, "number"), "title": _get(p, "title"), "kind": kind,
        "kind_label": t("grow_label" if kind == "grow" else "reduce_label"),
        "kind_sentence": t("grow_sentence" if kind == "grow" else "reduce_sentence"),
        "meaning": _get(p, "meaning_for_people"), "sentences": sentences, "figures": figures,
        "evidence": evidence, "scenario": f"/scenario/{scenario}" if scenario else None,
        "respond": respond_url(cid, _get(p, "id"), easy),
        "respond_text": t("respond_link", proposal=_get(p, "title")),
    }


def _who(t: Any, who: str) -> str:
    names = t.mapping("who_said")
    return str(names.get(who, who))


def _outlook(t: Any, outlook: Any) -> list[dict[str, Any]]:
    """The money expected, a table per payer (council, NHS) and a sentence for its last year."""
    out = []
    if outlook is None:
        return out
    for payer in ("council", "nhs"):
        po = _get(outlook, payer)
        years = list(_get(po, "years") or []) if po is not None else []
        if not years:
            continue
        rows = [{"year": _get(y, "year"), "low": plain_money(_real(_get(y, "low"))),
                 "central": plain_money(_real(_get(y, "central"))), "high": plain_money(_real(_get(y, "high")))}
                for y in years]
        last = rows[-1]
        out.append({"payer": payer, "rows": rows,
                    "sentence": t("outlook_sentence", year=last["year"], central=last["central"], low=last["low"],
                                  high=last["high"])})
    return out


def _default_goals() -> tuple[str, ...]:
    """The goals a new conversation starts from (the library's, in standard English)."""
    try:
        from ..conversations.service import DEFAULT_GOALS
    except ImportError:  # pragma: no cover - the library without its defaults
        return ()
    return tuple(DEFAULT_GOALS)


def price_base_sentence(t: Any, conversation: Any, picture: Any) -> str | None:
    """The sentence naming the one year's prices every amount of the conversation is in (the
    local picture's price base, else the conversation's), or None when neither says."""
    year = _get(picture, "price_base") if picture is not None else _get(conversation, "price_year")
    return t("price_base_sentence", year=year) if year else None


def pack(conversation: Any, picture: Any, proposals: Iterable[Any], area: int | None, easy: bool = False,
         language: str = "en", accepting: bool = True) -> dict[str, Any]:
    """What the pack shows for one transformation area (``area``; None: the overview of all
    five), in one register: every sentence from the catalogue with the library's figures in it."""
    t = text_for(easy, language)
    cid = _get(conversation, "id")
    name = _get(conversation, "council_name")
    goals = list(_get(conversation, "goals") or [])
    if not goals or tuple(goals) == _default_goals():  # not edited: the paper's goals in this register's words
        goals = t.items("goals")
    pictures = {int(_get(a, "area")): a for a in (_get(picture, "areas") or [])} if picture is not None else {}
    proposals = list(proposals)
    areas = []
    for n in range(1, 6):
        count = sum(1 for p in proposals if int(_get(p, "area")) == n)
        ideas = t("area_ideas.none") if not count else t("area_ideas.one") if count == 1 else t("area_ideas.many", count=count)
        areas.append({"number": n, "label": t("area_label", number=n), "text": t(f"areas.{n}"), "current": n == area,
                      "href": base_url(cid, n, easy), "proposals": count, "ideas": ideas})
    shown: dict[str, Any] | None = None
    if area is not None:
        ap = pictures.get(area)
        spend = _real(_get(ap, "spend")) if ap is not None else None
        sayings = [{"who": _get(s, "who"), "text": _get(s, "text"), "source": t("said_by", who=_who(t, _get(s, "who")), source=_get(s, "source"))}
                   for s in (_get(ap, "sayings") or [])] if ap is not None else []
        shown = {
            "number": area, "label": t("area_label", number=area), "text": t(f"areas.{area}"),
            "spend": t("spend_sentence", amount=plain_money(spend)) if spend is not None else t("spend_none"),
            "spend_exact": money(spend) if spend is not None else None,
            "sayings": sayings,
            "proposals": [proposal_view(t, cid, p, easy) for p in proposals if int(_get(p, "area")) == area],
        }
    every = [{"title": _get(p, "title"), "kind_label": t("grow_label" if _get(p, "kind") == "grow" else "reduce_label"),
              "href": base_url(cid, int(_get(p, "area")), easy) + f"#proposal-{_get(p, 'id')}"} for p in proposals]
    words = [{"term": w["term"], "meaning": w["meaning"]} for w in t.mapping("words").values()]
    title = t("area_title", area=name, area_name=t(f"areas.{area}").rstrip(".")) if area is not None else t("pack_title", area=name)
    return {
        "t": t, "easy": easy, "cid": cid, "area_name": name, "title": title,
        "caption": t("pack_caption", area=name), "intro": t.items("intro"), "steps": t.items("steps"),
        "goals": goals, "areas": areas, "area": shown, "every_proposal": every,
        "outlook": _outlook(t, _get(picture, "outlook") if picture is not None else None),
        "price_base": price_base_sentence(t, conversation, picture),
        "words": words, "questions": t.items("questions"), "promise": t.items("promise"),
        "accepting": accepting,
        "other_register": base_url(cid, area, not easy),
        "pdf": base_url(cid, area, easy) + (".pdf" if area is None else "/pack.pdf"),
    }


def pdf_bytes(html: str, identifier: bytes) -> bytes:
    """A page's print HTML as a tagged PDF (PDF/UA-1), as the business case is made
    (:func:`carescale.reports.html.write_pdf`): nothing fetched from the network or the disk."""
    from ..reports.html import write_pdf

    return write_pdf(html, identifier)
