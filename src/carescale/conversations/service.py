"""``Conversations``: the one place a conversation is stored and read (CLI, API and pages call it).

Rows are written once (store/models.py): a conversation, its proposals and responses; everything
else staff record (own figures, what works, expected money, goals, themes, quotes, decisions,
publishing) is an entry whose latest version for its kind and key is the one in force. The
owning organisation is recorded on the conversation; the web app decides who may read or change
it (``Conversations`` itself trusts its caller, like ``carescale.plans``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Any, Callable, Iterable, Iterator

from ..errors import ConversationError, NotFound
from .core import council_area_id, parse_input, who
from .model import (
    MAX_PLAN_LINKS,
    PUBLIC_RESPONSES_PER_HOUR,
    Conversation,
    ConversationIn,
    DecisionIn,
    DecisionView,
    LocalPicture,
    OutlookIn,
    OwnSpendIn,
    Pack,
    Proposal,
    ProposalIn,
    PublicPlan,
    Report,
    Response,
    Saying,
    SpendLine,
    WhatWorksIn,
)

from .text import catalogue as _catalogue  # the text in one place

#: The paper's shared goals (Appendix A, step 1) in our own words: the starting point a council edits.
#: Their text is the conversation text catalogue's (conversations/text/en.yaml, ``standard.goals``),
#: so the pack, its easy-read version and a translation all start from the same goals.
DEFAULT_GOALS = tuple(_catalogue("en", "standard").items("goals"))


class TooManyResponses(ConversationError):
    """A public client that gave more responses in an hour than the form allows (answered 429)."""

    http_status = 429


def _aware(stamp: dt.datetime) -> dt.datetime:
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)


def _priced(base: str, year: str, name: str) -> float:
    """The factor from ``year``'s prices to ``base``'s; a year the price index lacks is one line."""
    from ..errors import SettingsError
    from ..prices import price_base

    try:
        return price_base(base).factor(year)
    except SettingsError as exc:
        raise ConversationError(f"{name}: price_year: {exc.message.removeprefix('price year: ')}") from None


def _check_plan(s: Any, pid: str, org: str | None) -> None:
    """A plan a decision may link: saved, and (for a conversation owned by an organisation) owned by
    it, shared with it, or public; another organisation's private plan is refused like an unknown one."""
    from sqlalchemy import select

    from ..store.models import PlanRow, ShareRow

    row = s.get(PlanRow, pid)
    readable = row is not None and (
        org is None or row.owner_org == org or bool(row.public)
        or s.scalar(select(ShareRow.id).where(ShareRow.kind == "plan", ShareRow.object_id == pid,
                                              ShareRow.owner_org == row.owner_org, ShareRow.partner_org == org)) is not None)
    if not readable:
        # the same line for another organisation's plan as for one that does not exist (no oracle of plan ids)
        raise ConversationError(f"decision: plans: {pid!r} is not a saved investment plan; save it first with "
                                "'carescale plans create'")


class Conversations:
    """The conversations of one store (``Conversations(url)``; default the configured database)."""

    def __init__(self, url: str | None = None, *, clock: Callable[[], dt.datetime] | None = None):
        from ..store import open_store
        from ..store.core import now

        self.store = open_store(url)
        self.clock = clock or now

    @contextlib.contextmanager
    def _write(self, clash: str) -> Iterator[Any]:
        """A transaction; a row another request wrote at the same moment (a unique key: the same id,
        proposal number or response fingerprint) is ``clash``, one line, and nothing is written."""
        from sqlalchemy.exc import IntegrityError

        try:
            with self.store.transaction() as s:
                yield s
        except IntegrityError:
            raise ConversationError(clash) from None

    # -- rows ----------------------------------------------------------------------------------
    def _row(self, s: Any, cid: str) -> Any:
        from ..store.models import ConversationRow

        row = s.get(ConversationRow, cid)
        if row is None:
            raise NotFound(f"conversation {cid!r}: unknown conversation; {self._known(s)}")
        return row

    def _known(self, s: Any) -> str:
        from sqlalchemy import select

        from ..store.models import ConversationRow

        ids = list(s.scalars(select(ConversationRow.id).order_by(ConversationRow.id).limit(20)))
        return f"conversations are: {', '.join(ids)}" if ids else "no conversation is saved yet (carescale conversation create)"

    def _entries(self, s: Any, cid: str, kind: str | None = None) -> list[Any]:
        from sqlalchemy import select

        from ..store.models import ConversationEntryRow as E

        q = select(E).where(E.conversation_id == cid)
        if kind is not None:
            q = q.where(E.kind == kind)
        return list(s.scalars(q.order_by(E.id)))

    def _latest(self, s: Any, cid: str, kind: str) -> dict[str, tuple[dict[str, Any], Any]]:
        """key -> (body, row) of the latest entry of ``kind``."""
        return {e.key: (json.loads(e.body_json), e) for e in self._entries(s, cid, kind)}

    def _add(self, s: Any, cid: str, kind: str, key: str, body: dict[str, Any], by: str) -> None:
        from ..store.core import canonical_json
        from ..store.models import ConversationEntryRow

        s.add(ConversationEntryRow(conversation_id=cid, kind=kind, key=key, body_json=canonical_json(body),
                                   created_by=by[:320], created_at=self.clock()))

    def _view(self, s: Any, row: Any) -> Conversation:
        d = json.loads(row.definition_json)
        goals = self._latest(s, row.id, "goals").get("")
        pub = self._latest(s, row.id, "publish").get("")
        return Conversation(id=row.id, council=row.council, council_name=d["council_name"], name=row.name,
                            organisation=row.organisation, goals=(goals[0]["goals"] if goals else d["goals"]),
                            price_year=d["price_year"], published=bool(pub and pub[0]["published"]),
                            created_by=row.created_by, created_at=_aware(row.created_at))

    # -- conversations -------------------------------------------------------------------------
    def create(self, data: ConversationIn | dict[str, Any], *, by: str | None = None) -> Conversation:
        """A new conversation for a council; its id is never reused."""
        from ..official.councils import read_council_figures
        from ..prices import price_base
        from ..store.core import canonical_json
        from ..store.models import ConversationRow

        spec = parse_input(ConversationIn, data, "conversation")
        figs = read_council_figures()
        if spec.council not in figs.councils:
            raise ConversationError(
                f"conversation: council: {spec.council!r} is not a council in the official figures (April 2023 "
                "boundaries); give an ONS code such as E08000025 (Birmingham)")
        council_area_id(spec.council)
        pb = price_base(spec.price_year).year
        if spec.organisation is not None:
            from ..accounts.core import check_slug
            from ..store.models import OrganisationRow

            check_slug(spec.organisation)
            with self.store.reading() as s:
                if s.get(OrganisationRow, spec.organisation) is None:
                    from sqlalchemy import select

                    known = list(s.scalars(select(OrganisationRow.id).order_by(OrganisationRow.id).limit(20)))
                    raise ConversationError(
                        f"conversation: organisation: there is no organisation {spec.organisation!r}; "
                        + (f"the organisations are: {', '.join(known)}" if known else "make one with carescale users create-admin"))
        definition = {"council_name": figs.councils[spec.council], "price_year": pb,
                      "goals": list(spec.goals) or list(DEFAULT_GOALS)}
        with self._write(f"conversation: id: {spec.id!r} is already a conversation; choose another id") as s:
            if s.get(ConversationRow, spec.id) is not None:
                raise ConversationError(f"conversation: id: {spec.id!r} is already a conversation; choose another id")
            row = ConversationRow(id=spec.id, council=spec.council, name=spec.name, organisation=spec.organisation,
                                  definition_json=canonical_json(definition), created_by=who(by)[:320],
                                  created_at=self.clock())
            s.add(row)
            s.flush()
            from ..store.core import audit_row

            audit_row(s, row.created_by, "conversation.create", f"conversation:{spec.id}",
                      f"council {spec.council}; organisation {spec.organisation or 'none'}")
            return self._view(s, row)

    def get(self, cid: str) -> Conversation:
        with self.store.reading() as s:
            return self._view(s, self._row(s, cid))

    def list(self, organisation: str | None = None) -> list[Conversation]:
        """Every conversation (of one organisation when given), newest first."""
        from sqlalchemy import select

        from ..store.models import ConversationRow as C

        with self.store.reading() as s:
            q = select(C).order_by(C.created_at.desc(), C.id)
            if organisation is not None:
                q = q.where(C.organisation == organisation)
            return [self._view(s, r) for r in s.scalars(q)]

    def set_goals(self, cid: str, goals: Iterable[str], *, by: str | None = None) -> Conversation:
        from .model import MAX_TEXT

        if isinstance(goals, str) or not isinstance(goals, (list, tuple)):
            raise ConversationError("goals: give a list of shared goals, each a sentence or two")
        for i, g in enumerate(goals, 1):
            if not isinstance(g, str):
                raise ConversationError(f"goals[{i}]: {g!r} is not text; write each goal in words")
        goals = [g.strip() for g in goals if g.strip()]
        if not goals:
            raise ConversationError("goals: none given; write at least one shared goal")
        for i, g in enumerate(goals, 1):
            if len(g) > MAX_TEXT:
                raise ConversationError(f"goals[{i}]: {len(g):,} characters is too long; give at most {MAX_TEXT:,} characters")
        with self.store.transaction() as s:
            row = self._row(s, cid)
            self._add(s, cid, "goals", "", {"goals": goals}, who(by))
            s.flush()
            return self._view(s, row)

    # -- the local picture ---------------------------------------------------------------------
    def set_own_spend(self, cid: str, data: OwnSpendIn | dict[str, Any], *, by: str | None = None) -> LocalPicture:
        """The council's own figure for an area (replaces the official one in the pack; both shown)."""
        spec = parse_input(OwnSpendIn, data, "spend")
        with self.store.reading() as s:
            _priced(self._view(s, self._row(s, cid)).price_year, spec.price_year, "spend")
        with self.store.transaction() as s:
            self._row(s, cid)
            self._add(s, cid, "spend", str(spec.area), spec.model_dump(mode="json"), who(by))
        return self.picture(cid)

    def add_what_works(self, cid: str, data: WhatWorksIn | dict[str, Any], *, by: str | None = None) -> LocalPicture:
        spec = parse_input(WhatWorksIn, data, "what works")
        with self.store.transaction() as s:
            self._row(s, cid)
            n = len(self._entries(s, cid, "works"))
            self._add(s, cid, "works", str(n + 1), spec.model_dump(mode="json"), who(by))
        return self.picture(cid)

    def add_outlook(self, cid: str, data: OutlookIn | dict[str, Any], *, by: str | None = None) -> LocalPicture:
        """The council's or NHS's own expected money for a year (the latest for a payer and year counts)."""
        spec = parse_input(OutlookIn, data, "outlook")
        with self.store.reading() as s:
            _priced(self._view(s, self._row(s, cid)).price_year, spec.price_year, "outlook")
        with self.store.transaction() as s:
            self._row(s, cid)
            self._add(s, cid, "outlook", f"{spec.payer}:{spec.year}", spec.model_dump(mode="json"), who(by))
        return self.picture(cid)

    def _baseline(self, conv: Conversation) -> dict[str, Any]:
        from ..official.spend_baseline import council_baseline

        return council_baseline(conv.council, conv.price_year)

    def picture(self, cid: str) -> LocalPicture:
        """The local picture: official figures by area, the council's own, what works, the outlook."""
        from ..prices import price_base
        from .picture import local_picture, own_figure

        with self.store.reading() as s:
            conv = self._view(s, self._row(s, cid))
            spend = self._latest(s, cid, "spend")
            works = self._entries(s, cid, "works")
            outlook = self._latest(s, cid, "outlook")
        pb = conv.price_year
        own = {int(k): own_figure(OwnSpendIn(**body), pb, by=row.created_by, at=_aware(row.created_at))
               for k, (body, row) in spend.items()}
        sayings = []
        for e in works:
            body = json.loads(e.body_json)
            sayings.append(Saying(area=body["area"], who=body["who"], text=body["text"], source=body["source"],
                                       entered_by=e.created_by, entered_at=_aware(e.created_at)))
        figures = []
        for body, _ in outlook.values():
            o = OutlookIn(**body)
            factor = price_base(pb).factor(o.price_year)
            figures.append(o.model_copy(update={"amount": round(o.amount * factor, 2), "price_year": pb}))
        return local_picture(self._baseline(conv), own, sayings, figures)

    # -- proposals -----------------------------------------------------------------------------
    def _proposals(self, s: Any, cid: str) -> list[Proposal]:
        from sqlalchemy import select

        from ..store.models import ConversationProposalRow as P

        rows = s.scalars(select(P).where(P.conversation_id == cid).order_by(P.number))
        return [Proposal.model_validate(json.loads(r.definition_json)["proposal"]) for r in rows]

    def proposals(self, cid: str) -> list[Proposal]:
        with self.store.reading() as s:
            self._row(s, cid)
            return self._proposals(s, cid)

    def services(self, cid: str) -> list[SpendLine]:
        """The services a 'reduce' proposal may name (``service``): the local picture's official
        spend lines, each with its id, label and spend today."""
        from .picture import reducible_lines

        return reducible_lines(self._baseline(self.get(cid)))

    @staticmethod
    def model_choices() -> dict[str, list[tuple[str, str]]]:
        """The models a 'grow' proposal may name from the library (``model``): ``library`` (runnable
        model ids and names) and ``case_study`` (case studies with at least one runnable model)."""
        from .proposals import model_choices

        return model_choices()

    def propose(self, cid: str, data: ProposalIn | dict[str, Any], *, by: str | None = None,
                name: str = "proposal") -> Proposal:
        """A model to grow (figures from the engine for the council) or a service to reduce.
        ``name`` names the input in messages (a file and its item)."""
        from ..store.core import canonical_json
        from ..store.models import ConversationProposalRow
        from .picture import reducible_lines
        from .proposals import build_proposal

        spec = parse_input(ProposalIn, data, name)
        where = f"proposal {spec.id!r}" if name == "proposal" else name
        with self.store.reading() as s:
            conv = self._view(s, self._row(s, cid))
            existing = {p.id: p for p in self._proposals(s, cid)}
        lines = reducible_lines(self._baseline(conv))
        at = self.clock()
        prop, definition, doc = build_proposal(
            spec, number=len(existing) + 1, area_id=council_area_id(conv.council), price_year=conv.price_year,
            lines=lines, existing=existing, by=who(by)[:320], at=at, where=where)
        if doc is not None:
            self.store.save_scenario_document(doc)
        with self._write(f"{where}: another proposal was added at the same moment; add it again") as s:
            self._row(s, cid)
            if s.get(ConversationProposalRow, (cid, spec.id)) is not None:
                raise ConversationError(f"{where}: id: already a proposal of this conversation; choose another id")
            s.add(ConversationProposalRow(conversation_id=cid, id=spec.id, number=prop.number, kind=prop.kind,
                                          definition_json=canonical_json(definition), created_by=prop.created_by,
                                          created_at=at))
        return prop

    def pack(self, cid: str) -> Pack:
        """The conversation, its local picture and its proposals: what the pack shows."""
        return Pack(conversation=self.get(cid), picture=self.picture(cid), proposals=self.proposals(cid))

    # -- responses -----------------------------------------------------------------------------
    def respond(self, cid: str, data: Any, *, by: str | None = None, client: str | None = None,
                honeypot: str | None = None) -> Response:
        """Record one response. Refused: an unknown proposal, a bad stance or respondent type, an
        oversized comment, a duplicate, a filled-in hidden field (``honeypot``), more than
        :data:`PUBLIC_RESPONSES_PER_HOUR` public responses an hour from one ``client``."""
        from .responses import check_response

        if honeypot:
            raise ConversationError("response: refused: the form's hidden field was filled in, as only automated spam does")
        r = check_response(data)
        return self._record(cid, [r], by=by, client=client)[0][0]

    def import_responses(self, cid: str, text: str, *, name: str = "responses.csv", by: str | None = None) -> dict[str, Any]:
        """Responses entered by staff from a CSV file (proposal, stance, respondent, comment): every
        row checked first (a bad row refuses the file); duplicates are skipped and counted."""
        from .responses import read_csv

        rows = read_csv(text, name)
        saved, skipped = self._record(cid, rows, by=by, client=None, name=name, skip_duplicates=True)
        return {"added": len(saved), "duplicates": skipped, "responses": saved}

    def _record(self, cid: str, items: list[Any], *, by: str | None, client: str | None, name: str = "response",
                skip_duplicates: bool = False) -> tuple[list[Response], int]:
        from sqlalchemy import func, select

        from ..store.models import ConversationResponseRow as R
        from .responses import client_hash, fingerprint

        at = self.clock()
        saved, skipped = [], 0
        with self._write(f"{name}: the same response is already recorded; it is counted once") as s:
            self._row(s, cid)
            if any(r.channel == "public" for r in items):
                pub = self._latest(s, cid, "publish").get("")
                if pub and pub[0]["published"]:  # the pages close the form then too
                    raise ConversationError(f"response: conversation {cid!r} closed when its public plan was published; "
                                            "it takes no more public responses")
            known = {p.id for p in self._proposals(s, cid)}
            hashed = client_hash(cid, client)
            if hashed is not None and any(r.channel == "public" for r in items):
                since = at - dt.timedelta(hours=1)
                n = s.scalar(select(func.count()).select_from(R).where(
                    R.conversation_id == cid, R.client_hash == hashed, R.created_at >= since))
                if n + len(items) > PUBLIC_RESPONSES_PER_HOUR:
                    raise TooManyResponses(
                        f"response: this device has given {n} responses in the last hour; the form takes at most "
                        f"{PUBLIC_RESPONSES_PER_HOUR} an hour, try again later")
            seen: set[str] = set()
            for i, r in enumerate(items):
                where = f"{name}: row {i + 2}" if skip_duplicates else name
                if r.proposal not in known:
                    raise ConversationError(
                        f"{where}: proposal: unknown proposal {r.proposal!r}; the proposals of {cid!r} are: "
                        f"{', '.join(sorted(known)) if known else 'none yet'}")
                fp = fingerprint(r)
                if fp is not None and (fp in seen or s.scalar(select(R.id).where(R.conversation_id == cid, R.fingerprint == fp))):
                    if skip_duplicates:
                        skipped += 1
                        continue
                    raise ConversationError(f"{where}: the same response to {r.proposal!r} is already recorded; it is counted once")
                if fp is not None:
                    seen.add(fp)
                row = R(conversation_id=cid, proposal_id=r.proposal, stance=r.stance, respondent=r.respondent,
                        comment=r.comment, channel=r.channel, fingerprint=fp,
                        client_hash=hashed if r.channel == "public" else None,
                        created_by=(who(by) if r.channel == "staff" else "public")[:320], created_at=at)
                s.add(row)
                s.flush()
                saved.append(Response(id=row.id, proposal=r.proposal, stance=r.stance, respondent=r.respondent,
                                      comment=r.comment, channel=r.channel, themes=[], quoted=False, created_at=_aware(at)))
        return saved, skipped

    def responses(self, cid: str, proposal: str | None = None) -> list[Response]:
        """Responses in the order given, with the themes and quotes staff chose."""
        from sqlalchemy import select

        from ..store.models import ConversationResponseRow as R

        with self.store.reading() as s:
            self._row(s, cid)
            q = select(R).where(R.conversation_id == cid)
            if proposal is not None:
                q = q.where(R.proposal_id == proposal)
            rows = list(s.scalars(q.order_by(R.id)))
            tags = self._latest(s, cid, "tag")
            quotes = self._latest(s, cid, "quote")
        out = []
        for r in rows:
            themes = sorted(t for key, (body, _) in tags.items() if key.startswith(f"{r.id}:") and body["on"]
                            for t in [body["theme"]])
            q = quotes.get(str(r.id))
            out.append(Response(id=r.id, proposal=r.proposal_id, stance=r.stance, respondent=r.respondent, comment=r.comment,
                                channel=r.channel, themes=themes, quoted=bool(q and q[0]["chosen"]),
                                created_at=_aware(r.created_at)))
        return out

    def _response(self, s: Any, cid: str, rid: Any) -> Any:
        from ..store.models import ConversationResponseRow as R

        try:
            n = int(rid)
        except (TypeError, ValueError):
            n = None
        row = s.get(R, n) if n is not None else None
        if row is None or row.conversation_id != cid:
            raise ConversationError(f"response: {rid!r} is not a response of conversation {cid!r}; list them with 'carescale conversation show'")
        return row

    def tag(self, cid: str, response: int, theme: str, *, on: bool = True, by: str | None = None) -> Response:
        """Staff tag a theme on a response's comment (``on=False`` takes it off)."""
        from .responses import check_theme

        t = check_theme(theme)
        with self.store.transaction() as s:
            row = self._response(s, cid, response)
            self._add(s, cid, "tag", f"{row.id}:{t}", {"theme": t, "on": on}, who(by))
        return next(r for r in self.responses(cid) if r.id == row.id)

    def quote(self, cid: str, response: int, *, chosen: bool = True, by: str | None = None) -> Response:
        """Staff choose a response's comment as a quote for the report (``chosen=False`` drops it)."""
        with self.store.transaction() as s:
            row = self._response(s, cid, response)
            if chosen and not row.comment.strip():
                raise ConversationError(f"response: {row.id} has no comment to quote")
            self._add(s, cid, "quote", str(row.id), {"chosen": chosen}, who(by))
        return next(r for r in self.responses(cid) if r.id == row.id)

    def report(self, cid: str) -> Report:
        from .report import build_report

        return build_report(cid, self.proposals(cid), self.responses(cid))

    # -- decisions and the public plan ---------------------------------------------------------
    def decide(self, cid: str, data: DecisionIn | dict[str, Any], *, by: str | None = None) -> DecisionView:
        """The decision on a proposal with its reason and the investment plans that carry it out
        (saved plan ids, checked). A later decision on the same proposal replaces it."""
        from .proposals import check_decision

        spec = parse_input(DecisionIn, data, "decision")
        if len(spec.plans) > MAX_PLAN_LINKS:
            raise ConversationError(f"decision: plans: {len(spec.plans)} plans; link at most {MAX_PLAN_LINKS}")
        with self.store.transaction() as s:
            self._row(s, cid)
            props = {p.id: p for p in self._proposals(s, cid)}
            if spec.proposal not in props:
                raise ConversationError(
                    f"decision: proposal: unknown proposal {spec.proposal!r}; the proposals of {cid!r} are: "
                    f"{', '.join(sorted(props)) if props else 'none yet'}")
            check_decision(props[spec.proposal], spec.decision)
            org = self._row(s, cid).organisation
            for pid in spec.plans:
                _check_plan(s, pid, org)
            self._add(s, cid, "decision", spec.proposal, spec.model_dump(mode="json"), who(by))
            from ..store.core import audit_row

            audit_row(s, who(by), "conversation.decide", f"conversation:{cid}",
                      f"{spec.proposal}: {spec.decision}" + (f"; plans {', '.join(spec.plans)}" if spec.plans else ""))
        return next(d for d in self.public_plan(cid, draft=True).decisions if d.proposal == spec.proposal)

    def publish(self, cid: str, *, published: bool = True, by: str | None = None) -> PublicPlan:
        """Publish the public plan (or take it down); publishing needs at least one decision."""
        with self.store.transaction() as s:
            self._row(s, cid)
            if published and not self._entries(s, cid, "decision"):
                raise ConversationError(f"publish: conversation {cid!r} has no decision yet; decide at least one proposal first")
            self._add(s, cid, "publish", "", {"published": published}, who(by))
            from ..store.core import audit_row

            audit_row(s, who(by), "conversation.publish" if published else "conversation.withdraw",
                      f"conversation:{cid}", "public plan")
        return self.public_plan(cid, draft=True)

    def public_plan(self, cid: str, *, draft: bool = False) -> PublicPlan:
        """The public plan. Unless ``draft``, an unpublished plan is :class:`NotFound` (what the
        public sees); staff read drafts."""
        from .report import build_public_plan

        with self.store.reading() as s:
            conv = self._view(s, self._row(s, cid))
            decisions = {k: {**b, "by": row.created_by, "at": _aware(row.created_at)}
                         for k, (b, row) in self._latest(s, cid, "decision").items()}
            pub = self._latest(s, cid, "publish").get("")
        published = (bool(pub and pub[0]["published"]), _aware(pub[1].created_at) if pub and pub[0]["published"] else None)
        if not draft and not published[0]:
            raise NotFound(f"conversation {cid!r}: its public plan is not published")
        return build_public_plan(conv, self.proposals(cid), self.responses(cid), decisions, published)

    def history(self, cid: str) -> list[dict[str, Any]]:
        """Every entry staff recorded, oldest first (what changed, who, when)."""
        from ..store.core import utc_iso

        with self.store.reading() as s:
            self._row(s, cid)
            return [{"kind": e.kind, "key": e.key, "body": json.loads(e.body_json), "by": e.created_by,
                     "at": utc_iso(e.created_at)} for e in self._entries(s, cid)]

