"""The data model of a local conversation (SCIE 2017, Appendix A; issue 28; docs/conversations.md).

Two kinds of model:

* **inputs** (``*In``, strict: unknown keys refused, text bounded): what staff or the public give,
  validated into one-line :class:`~carescale.errors.ConversationError` messages by
  :func:`carescale.conversations.core.parse_input`;
* **views** (plain pydantic models, JSON-ready with ``model_dump(mode="json")``): what the library
  returns to the CLI, the API and the pages (conv-pages builds the pack, easy-read version and PDF
  from these; nothing is computed again in the web layer).

Every money figure is a :class:`Money`: an amount in pounds with its price base (``"2024/25"``)
and, where it is an official figure, its cash and the year that cash is of.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from ..schema.base import StrictModel, bounded_text
from ..schema.intervention import Slug

# -- vocabularies ------------------------------------------------------------------------------

#: The five transformation areas (the paper's words, data/transformation_areas.yaml).
AREA_NUMBERS = (1, 2, 3, 4, 5)
AreaNumber = Literal[1, 2, 3, 4, 5]

Stance = Literal["support", "oppose", "not-sure"]
STANCES: dict[str, str] = {"support": "Support", "oppose": "Oppose", "not-sure": "Not sure"}

RespondentType = Literal["uses-services", "carer", "staff", "provider", "partner", "other"]
RESPONDENT_TYPES: dict[str, str] = {
    "uses-services": "Person who uses services",
    "carer": "Carer",
    "staff": "Staff",
    "provider": "Provider",
    "partner": "Partner organisation",
    "other": "Other",
}

Channel = Literal["staff", "public"]
CHANNELS: dict[str, str] = {"staff": "entered by staff", "public": "through the public form"}

ProposalKind = Literal["grow", "reduce"]
ModelKind = Literal["library", "case-study", "logic-model"]

Decision = Literal["grow", "do-not-grow", "reduce", "keep"]
DECISIONS: dict[str, str] = {"grow": "Grow", "do-not-grow": "Do not grow", "reduce": "Reduce", "keep": "Keep"}
#: Which decisions fit which kind of proposal.
DECISIONS_FOR: dict[str, tuple[str, ...]] = {"grow": ("grow", "do-not-grow"), "reduce": ("reduce", "keep")}

WhoSaid = Literal["inspectors", "staff", "people"]
WHO_SAID: dict[str, str] = {"inspectors": "Inspectors", "staff": "Staff", "people": "Local people"}

Payer = Literal["council", "nhs"]
PAYER_LABELS: dict[str, str] = {"council": "Council (adult social care)", "nhs": "NHS"}

# -- limits (checked here, so SQLite and PostgreSQL accept and refuse the same values) ---------

MAX_COMMENT = 2000  #: characters in a response's comment
MAX_TEXT = 4000  #: characters in a piece of free text (what works, meaning for people, reasons)
MAX_SOURCE = 500  #: characters in a source
MAX_TITLE = 300
MAX_THEME = 80
MAX_MONEY = 1e13  #: pounds (more than England's public spending)
MAX_PLAN_LINKS = 20
#: Public responses one client (a salted hash of its address) may give to one conversation in
#: an hour; staff entries are not limited.
PUBLIC_RESPONSES_PER_HOUR = 10


def _shown(v: float) -> str:
    return str(int(v)) if v.is_integer() else repr(v)


def _money(v: float) -> float:
    if isinstance(v, bool) or v != v or v in (float("inf"), float("-inf")):
        raise ValueError(f"{v!r} is not a number of pounds; give pounds, 0 or more")
    if v < 0:
        raise ValueError(f"{_shown(v)} is below zero; give pounds, 0 or more")
    if v > MAX_MONEY:
        raise ValueError(f"{_shown(v)} is more than £10 trillion; give pounds a year")
    return float(v)


def _price_year(v: str) -> str:
    if not re.fullmatch(r"\d{4}/\d{2}", v) or int(v[5:7]) != (int(v[2:4]) + 1) % 100:
        raise ValueError(f"{v!r} is not a financial year; write it as 2024/25")
    return v


#: Pounds, 0 or more (a budget below zero is refused).
Pounds = Annotated[float, AfterValidator(_money)]
#: An id given to look something up (a proposal, a service line, a model, a plan): bounded, so a
#: message that names it stays one short line.
Ref = Annotated[str, Field(max_length=200)]
#: A financial year written 2024/25.
FinancialYear = Annotated[str, AfterValidator(_price_year)]


# -- money -------------------------------------------------------------------------------------


class Money(BaseModel):
    """Pounds in one price base (``real``), with the cash and year of an official figure."""

    model_config = ConfigDict(frozen=True)

    real: float
    price_base: str  # "2024/25"
    cash: float | None = None
    cash_year: str | None = None  # the financial year the cash is of ("2021-22")


# -- inputs ------------------------------------------------------------------------------------


class ConversationIn(StrictModel):
    """A new conversation: a council (ONS code), its name, the owning organisation (slug)."""

    id: Slug
    council: Annotated[str, Field(max_length=9)]  # ONS code, April 2023 boundaries ("E08000025")
    name: bounded_text(MAX_TITLE)
    organisation: Annotated[str, Field(max_length=64)] | None = None
    goals: tuple[bounded_text(MAX_TEXT), ...] = ()  # () = the paper's goals in our own words
    price_year: FinancialYear | None = None  # None: the default price base


class OwnSpendIn(StrictModel):
    """The council's own figure for what an area costs today: replaces the official one (both shown)."""

    area: AreaNumber
    amount: Pounds  # pounds a year
    price_year: FinancialYear  # the price base the amount is in ("2024/25")
    source: bounded_text(MAX_SOURCE)

    @field_validator("source")
    @classmethod
    def _src(cls, v: str) -> str:
        if not v:
            raise ValueError("give where the figure comes from (the council's budget book, a finance report)")
        return v


class WhatWorksIn(StrictModel):
    """What inspectors, staff or people say works (or would like to change) in an area."""

    area: AreaNumber
    who: WhoSaid
    text: bounded_text(MAX_TEXT)
    source: bounded_text(MAX_SOURCE)

    @field_validator("text", "source")
    @classmethod
    def _nonempty(cls, v: str) -> str:
        if not v:
            raise ValueError("is empty; write the words and where they come from")
        return v


class OutlookIn(StrictModel):
    """The council's (or the NHS's) own expected money for one future year, and its source."""

    payer: Payer
    year: FinancialYear  # "2027/28"
    amount: Pounds
    price_year: FinancialYear
    source: bounded_text(MAX_SOURCE)


class PictureFileIn(StrictModel):
    """A file of the council's own entries for its local picture (``conversation picture --file``)."""

    spend: list[OwnSpendIn] = []
    works: list[WhatWorksIn] = []
    outlook: list[OutlookIn] = []
    goals: list[bounded_text(MAX_TEXT)] = []


class ModelChoiceIn(StrictModel):
    """The model a 'grow' proposal scales up: exactly one of a library model id, a case study id
    (its models, evaluated together) or a logic model (its data, as a plan's logic model file)."""

    library: Ref | None = None
    case_study: Ref | None = None
    logic_model: dict[str, Any] | None = None


class ProposalIn(StrictModel):
    """A model to grow (``model``, at ``scale`` of its potential in the council) or a service that
    could be reduced as a result (``service``: a spend line id from the local picture, and the
    ``reduction`` a year), each with what it means for people."""

    id: Slug
    kind: ProposalKind
    title: bounded_text(MAX_TITLE)
    meaning_for_people: bounded_text(MAX_TEXT)
    model: ModelChoiceIn | None = None
    scale: float = Field(default=1.0, gt=0, le=1)
    service: Ref | None = None
    reduction: Pounds | None = None  # pounds a year in the conversation's price base
    because_of: tuple[Slug, ...] = ()  # the 'grow' proposals that make the reduction possible


class ResponseIn(StrictModel):
    """One response to one proposal. ``comment`` is kept as literal text, exactly as given (not even
    trimmed; never markup or a formula)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, defer_build=True)

    proposal: Ref
    stance: Stance
    respondent: RespondentType
    comment: str = ""
    channel: Channel = "staff"


class DecisionIn(StrictModel):
    """The council's decision on one proposal, its reason, and the investment plans carrying it out."""

    proposal: Ref
    decision: Decision
    reason: bounded_text(MAX_TEXT)
    plans: tuple[Ref, ...] = ()

    @field_validator("reason")
    @classmethod
    def _why(cls, v: str) -> str:
        if not v:
            raise ValueError("is empty; explain the reason for the decision")
        return v


# -- views -------------------------------------------------------------------------------------


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class SpendLine(View):
    """One official spend line mapped to an area (data/conversation_areas.yaml), with the reason."""

    id: str  # "ascfr:2021-22:long-term-home-care:65+", "ro3:2024-25:social-support-social-isolation"
    label: str
    area: int
    why: str  # why this line belongs to this area
    money: Money | None  # None: no figure (missing says why)
    source: str
    cell: str | None = None
    missing: str | None = None


class OwnFigure(View):
    amount: Money
    source: str
    entered_by: str
    entered_at: dt.datetime


class Saying(View):
    area: int
    who: str  # inspectors | staff | people
    text: str
    source: str
    entered_by: str
    entered_at: dt.datetime


class AreaPicture(View):
    """What the council spends on one area today and what people say works."""

    area: int
    title: str  # the paper's words
    official: Money | None  # the sum of the official lines with a figure
    official_lines: list[SpendLine]
    own: OwnFigure | None
    used: Literal["official", "own", "none"]
    spend: Money | None  # the figure the pack uses (own where given, else official)
    note: str  # e.g. "No official line for this area; the council's own figure is used"
    sayings: list[Saying]


class OutlookYear(View):
    year: str  # "2026/27"
    central: Money
    low: Money
    high: Money
    own: Money | None = None  # the council's (or NHS's) own figure for the year
    own_source: str | None = None


class PayerOutlook(View):
    payer: str
    start: Money | None  # the figure the cases start from
    start_source: str
    growth: dict[str, float]  # central/low/high real change a year
    growth_source: str
    years: list[OutlookYear]
    note: str


class Outlook(View):
    """The money the council and NHS expect in coming years (central, low and high cases)."""

    price_base: str
    council: PayerOutlook
    nhs: PayerOutlook


class LocalPicture(View):
    council: str
    council_name: str
    price_base: str
    price_statement: str
    areas: list[AreaPicture]
    outlook: Outlook
    missing: list[str]  # official figures that are not there, with why


class ModelFigures(View):
    """A 'grow' proposal's figures from the engine for the council (full scale of the scenario)."""

    scenario_id: str
    area_id: str  # the council's profile ("birmingham-official")
    models: list[str]  # library model ids evaluated
    people_helped: float  # people a year
    cost: Money  # a year
    setup: Money
    gross_savings: dict[str, Money]  # by payer (asc, nhs), a year
    net_savings: dict[str, Money]
    net: Money  # council and NHS together, a year
    npv: Money  # over the appraisal period
    npv_by_payer: dict[str, Money]
    years: int
    break_even_month: int | None
    break_even_starts: str | None
    evidence_level: int | None


class Proposal(View):
    id: str
    number: int
    kind: str
    area: int  # transformation area
    title: str
    meaning_for_people: str
    model_kind: str | None = None  # library | case-study | logic-model
    model_ref: str | None = None  # id of the library model, case study or logic model
    model_name: str | None = None
    scale: float | None = None
    figures: ModelFigures | None = None
    service: SpendLine | None = None  # for 'reduce'
    reduction: Money | None = None
    because_of: list[str] = []
    created_by: str
    created_at: dt.datetime


class Response(View):
    id: int
    proposal: str
    stance: str
    respondent: str
    comment: str  # literal text, exactly as given
    channel: str
    themes: list[str]
    quoted: bool
    created_at: dt.datetime


class Count(View):
    """Responses by stance (``not_sure`` is the stance ``not-sure``)."""

    support: int = 0
    oppose: int = 0
    not_sure: int = 0
    total: int = 0


class ProposalReport(View):
    proposal: str
    title: str
    counts: Count
    by_respondent: dict[str, Count]
    themes: dict[str, int]
    quotes: list[Response]


class Report(View):
    """What people said: counts by proposal and stance and by respondent type, staff's themes
    and quotes. No automatic sentiment scoring."""

    conversation: str
    responses: int
    by_proposal: list[ProposalReport]
    by_respondent: dict[str, Count]
    by_channel: dict[str, int]  # staff (paper, meetings, CSV) and public (the form)
    themes: dict[str, int]
    quotes: list[Response]
    method: str


class DecisionView(View):
    proposal: str
    title: str
    kind: str
    decision: str
    reason: str
    plans: list[str]
    evidence: list[str]  # plain lines: the figures and evidence level the decision rests on
    people_said: Count
    decided_by: str
    decided_at: dt.datetime


class PublicPlan(View):
    conversation: str
    council: str
    council_name: str
    published: bool
    published_at: dt.datetime | None
    decisions: list[DecisionView]
    undecided: list[str]


class Conversation(View):
    id: str
    council: str
    council_name: str
    name: str
    organisation: str | None
    goals: list[str]
    price_year: str
    published: bool
    created_by: str
    created_at: dt.datetime


class Pack(View):
    """Everything a conversation pack shows (conv-pages renders it as the page, easy-read and PDF)."""

    conversation: Conversation
    picture: LocalPicture
    proposals: list[Proposal]
