"""One evaluated scenario: a scenario document worked out lazily, each part at most once.

Every entry point (CLI, Python, API, pages, reports, plans, optimiser, national) reads its
figures from an :class:`Evaluation` instead of calling the engine itself, so one document is
built once, evaluated once, appraised once per view (yearly or monthly) and put through Monte
Carlo once, however many outputs are made from it::

    from carescale.scenarios import evaluate_document, load_scenario
    ev = evaluate_document(load_scenario("my.yaml"))
    ev.run                   # what 'carescale run --format json' prints
    ev.appraisal_summary()   # ... 'carescale appraise --format json'
    ev.uncertainty()         # ... 'carescale uncertainty --format json' (Monte Carlo, once)

:func:`evaluate_document` keeps the last few evaluations of the process by scenario id (and the library
and folder the document's files are read from), so a PDF download after the result page reuses
the page's Monte Carlo. The parts are computed under a lock: a second caller asking for a part
that is being computed waits for it instead of starting it again (single flight). The objects
returned are shared: treat them as read-only (the ``*_document`` functions return copies).
"""

from __future__ import annotations

import copy
import pickle
import threading
from collections import OrderedDict
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from ..library import Library, default_library
from .build import Built, _stamp, build_scenario
from .document import ScenarioDocument

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from ..appraisal import AppraisalResult
    from ..engine import PortfolioResult
    from ..engine.scenario import Scenario
    from ..engine.timeline import Timeline
    from ..uncertainty import Model

Progress = Callable[[str, int, int], None]


class AppraisalRuns(NamedTuple):
    """The engine on the appraisal's adjusted values (optimism bias and additionality applied):
    what the live workbook's cached figures come from. One draw each."""

    values: dict[str, Any]  # the adjusted values
    cost_timeline: "Timeline"  # the appraisal's ramp-up for costs
    savings_timeline: "Timeline"  # ... for savings (lag, drop-off)
    costs: "PortfolioResult"  # the engine over the cost timeline
    savings: "PortfolioResult"  # the engine over the savings timeline
    full_year: "PortfolioResult"  # the engine at full scale (steady state)

#: how many evaluations one process keeps (each holds one-draw arrays and summaries: small)
CACHE_SIZE = 64


class Evaluation:
    """A scenario document and everything worked out from it, each at most once.

    ``library`` is the library the document is built against (the default library when None).
    Attributes are computed on first use: ``built`` (scenario and one-draw values), ``scenario``,
    ``values``, ``parameters``, ``result`` (the engine's steady-state run), ``run`` (its JSON
    contract), ``model`` (the uncertainty model, for one-way sensitivity) and ``appraisal_runs``
    (the engine on the appraisal's adjusted values, for the live workbook); methods ``appraisal(monthly)``, ``appraisal_summary(monthly)`` and
    ``uncertainty(progress)`` are cached by their arguments.
    """

    def __init__(self, document: ScenarioDocument, library: Library | None = None, scenario_id: str | None = None):
        self.document = document
        if scenario_id is not None:  # the id the cache files it under (worked out once, not again)
            self.scenario_id = scenario_id
        self.library = library
        self._lock = threading.RLock()
        self._appraisals: dict[bool, Any] = {}
        self._appraisal_summaries: dict[bool, dict[str, Any]] = {}
        self._uncertainty: dict[str, Any] | None = None
        self._bridge: dict[str, Any] | None = None
        self._cash_views: dict[tuple, dict[str, Any]] = {}
        self._options: dict[str, Any] | None = None
        self._value: dict[str, Any] | None = None
        self._uncertainty_lock = threading.Lock()  # its own: a long Monte Carlo never holds up the run or appraisal
        self.calls: dict[str, int] = {"build": 0, "evaluate": 0, "appraise": 0, "uncertainty": 0}

    def __repr__(self) -> str:
        return f"Evaluation({self.scenario_id!r})"

    @cached_property
    def scenario_id(self) -> str:
        """The document's :attr:`~ScenarioDocument.scenario_id` (its canonical JSON hashed: once
        per evaluation, as every output is stamped with it)."""
        return self.document.scenario_id

    def _stamp(self, data: dict[str, Any]) -> dict[str, Any]:
        return _stamp(self.document, data, self.scenario_id)

    # -- the definition ---------------------------------------------------------------------------

    @cached_property
    def built(self) -> Built:
        with self._lock:
            self.calls["build"] += 1
            return build_scenario(self.document, self.library)

    @property
    def scenario(self) -> "Scenario":
        return self.built.scenario

    @property
    def values(self) -> dict[str, Any]:
        return self.built.values

    @cached_property
    def parameters(self):
        from ..engine import ParameterTable

        return ParameterTable.from_scenario(self.scenario)

    # -- the engine's steady-state run -------------------------------------------------------------

    @cached_property
    def result(self):
        from ..engine import evaluate

        with self._lock:
            self.calls["evaluate"] += 1
            return evaluate(self.scenario)

    @cached_property
    def run(self) -> dict[str, Any]:
        """What ``carescale run --format json`` prints."""
        from ..engine.summary import summary

        return self._stamp(summary(self.result))

    @cached_property
    def saving_lines(self):
        """Every saving of the scenario on its own line (``engine.savings.SavingLine``): payer,
        cashable flag with its status and reason, gross amount a year at full scale."""
        from ..engine.savings import saving_lines

        with self._lock:  # the steady-state run's own annual figures (its values are the base values)
            return saving_lines(self.scenario, parameters=self.parameters, run=self.result)

    def savings(self) -> list[dict[str, Any]]:
        """The saving lines as plain figures (the steady state's values): what the cash view and
        the outputs show as cashable and non-cashable."""
        return [line.as_dict() for line in self.saving_lines]

    # -- money over time ----------------------------------------------------------------------------

    def appraisal(self, monthly: bool = False) -> "AppraisalResult":
        """The appraisal under the document's settings (``monthly``: with the monthly flows)."""
        with self._lock:
            if monthly not in self._appraisals:
                from ..appraisal import appraise

                self.calls["appraise"] += 1
                # the evaluation's own values and table: the bridge then reads the appraisal's
                # engine runs (the same values as the base values appraise would make)
                self._appraisals[monthly] = appraise(self.scenario, self.document.appraisal, self.values,
                                                     self.parameters, monthly=monthly)
            return self._appraisals[monthly]

    def appraisal_summary(self, monthly: bool = False) -> dict[str, Any]:
        """What ``carescale appraise --format json`` prints."""
        with self._lock:
            if monthly not in self._appraisal_summaries:
                from ..appraisal import appraisal_summary

                self._appraisal_summaries[monthly] = self._stamp(appraisal_summary(self.appraisal(monthly)))
            return self._appraisal_summaries[monthly]

    def cash_view(self, settings: Any = None) -> dict[str, Any]:
        """The cash budget view (``appraisal.cash.cash_view``): the monthly appraisal in cash by
        financial year and payer, cashable and non-cashable apart, cohorts growing with the ONS
        trend, against the council's adult social care budget (``settings``: ``CashSettings``)."""
        from ..appraisal.cash import CashSettings, cash_view
        from ..engine.savings import saving_lines

        settings = settings or CashSettings()
        with self._lock:
            key = (settings.inflation, settings.growth, settings.budget)
            if key not in self._cash_views:
                lines = saving_lines(self.scenario, self.adjusted_values, self.parameters)
                vocabulary = getattr(self.library or default_library(), "vocabulary", None)
                self._cash_views[key] = self._stamp(cash_view(self.appraisal(monthly=True), lines, settings, vocabulary))
            return self._cash_views[key]

    def options(self) -> dict[str, Any]:
        """The options appraisal (``scenarios.options``): business as usual, do minimum and the
        preferred portfolio side by side."""
        with self._lock:
            if self._options is None:
                from .options import options_appraisal

                def other(doc: ScenarioDocument) -> dict[str, Any]:
                    return evaluate_document(doc, self.library).appraisal_summary()

                self._options = self._stamp(options_appraisal(self, other))
            return self._options

    def bridge(self) -> dict[str, Any]:
        """The bridge from the evidence figure to each headline (``carescale.appraisal.bridge``):
        what every output shows under its headline."""
        with self._lock:
            if self._bridge is None:
                from ..appraisal.bridge import bridge

                self._bridge = bridge(self.scenario, self.appraisal(),
                                      self.values, self.parameters, self.result)
            return self._bridge

    def value(self) -> dict[str, Any]:
        """Fiscal cashable, fiscal non-cashable and social value side by side, with each model's
        outcomes for people and the benefit-cost ratio without and with social value
        (``carescale.appraisal.value.value_split``; shared: read only)."""
        with self._lock:
            if self._value is None:
                from ..appraisal.summary import portfolio_metrics
                from ..appraisal.value import value_split

                vocabulary = getattr(self.library or default_library(), "vocabulary", None)
                # the split reads only the portfolio's metrics: those, not the whole appraisal
                # summary with its yearly tables (two thirds of a run's time over the API)
                if False in self._appraisal_summaries:
                    metrics = self._appraisal_summaries[False]["portfolio"]["metrics"]
                else:
                    metrics = portfolio_metrics(self.appraisal())
                self._value = value_split(self.scenario, self.run, self.saving_lines,
                                          {"portfolio": {"metrics": metrics}}, vocabulary=vocabulary)
            return self._value

    def run_output(self, bridge: bool = True, value: bool = True) -> dict[str, Any]:
        """What ``carescale run --format json`` and ``POST /api/v1/run`` print: the run with its
        bridge to every headline and its value split (shared: read only). ``bridge``/``value``
        False leave that part out (and do not work it out: the API's ``include`` parameter)."""
        out = dict(self.run)
        if bridge:
            out["bridge"] = self.bridge()
        if value:
            out["value"] = self.value()
        return out

    def appraisal_output(self, monthly: bool = False) -> dict[str, Any]:
        """What ``carescale appraise --format json`` and ``POST /api/v1/appraise`` print: the
        appraisal with the same bridge (shared: read only)."""
        return {**self.appraisal_summary(monthly), "bridge": self.bridge()}

    # -- uncertainty --------------------------------------------------------------------------------

    @property
    def has_uncertainty(self) -> bool:
        """Whether the Monte Carlo has already been run (a page can show it without running it)."""
        return self._uncertainty is not None

    def uncertainty(self, progress: Progress | None = None) -> dict[str, Any]:
        """What ``carescale uncertainty --format json`` prints; the Monte Carlo runs once (a second
        caller while it runs waits for the first and gets its answer)."""
        if self._uncertainty is not None:
            return self._uncertainty
        with self._uncertainty_lock:
            if self._uncertainty is None:
                from ..uncertainty import run_uncertainty

                self.calls["uncertainty"] += 1
                self._uncertainty = self._stamp(
                    run_uncertainty(self.scenario, self.document.uncertainty.settings(), progress,
                                    appraisal=self.document.appraisal),
                )
            return self._uncertainty

    @cached_property
    def model(self) -> "Model":
        """The uncertainty model (every uncertain figure's range, at the document's width scale):
        what the one-way sensitivity of each model (the reports' tornados) is worked out on."""
        from ..uncertainty import Model

        with self._lock:
            return Model.build(self.scenario, self.document.uncertainty.settings().width_scale)

    # -- the appraisal's own engine runs (the live workbook) ------------------------------------------

    @cached_property
    def adjusted_values(self) -> dict[str, Any]:
        """The one-draw values with the appraisal's optimism bias and counterfactual applied (what
        the appraisal runs on; the cash view and ``appraisal_runs`` read them)."""
        from ..appraisal.core import adjusted_values

        with self._lock:
            return adjusted_values(self.scenario, self.parameters, self.values, self.appraisal(monthly=True).settings)

    @cached_property
    def appraisal_runs(self) -> AppraisalRuns:
        """The engine on the appraisal's two timelines and at full scale, with the adjusted values
        (the live workbook's cached figures; no Monte Carlo): the appraisal's own engine runs
        (``AppraisalResult.engine_runs``, run on this evaluation's values and table), the full
        year from their annual figures; worked out afresh only if the appraisal has none."""
        from ..appraisal.core import timelines
        from ..engine import evaluate
        from ..engine.evaluate import on_timelines
        from ..engine.timeline import STEADY_STATE

        with self._lock:
            appraisal = self.appraisal(monthly=True)
            adj = self.adjusted_values
            cost_tl, sav_tl = timelines(self.scenario, appraisal.settings)
            runs = appraisal.engine_runs
            if runs is not None and runs.values is self.values and runs.parameters is self.parameters:
                res_c, res_s = runs.costs, runs.savings
                (full,) = on_timelines(res_s, (STEADY_STATE,))
            else:
                self.calls["evaluate"] += 3
                res_c = evaluate(self.scenario, adj, cost_tl, self.parameters)
                res_s = evaluate(self.scenario, adj, sav_tl, self.parameters)
                full = evaluate(self.scenario, adj, parameters=self.parameters)
            return AppraisalRuns(adj, cost_tl, sav_tl, res_c, res_s, full)

    def adopt_uncertainty(self, result: dict[str, Any]) -> dict[str, Any]:
        """Record the Monte Carlo of this same document worked out elsewhere (the web app's job
        in its own process), so later readers reuse it; one already here is kept and returned."""
        with self._uncertainty_lock:
            if self._uncertainty is None:
                self._uncertainty = result
            return self._uncertainty

    def summary(self) -> dict[str, Any]:
        """Every part computed so far, by command: ``run`` and ``appraise`` always, ``uncertainty``
        only when it has been run."""
        out: dict[str, Any] = {"run": self.run, "appraise": self.appraisal_summary()}
        if self._uncertainty is not None:
            out["uncertainty"] = self._uncertainty
        return out


_cache: OrderedDict[tuple[Any, ...], Evaluation] = OrderedDict()
_cache_lock = threading.Lock()


def _key(doc: ScenarioDocument, lib: Library) -> tuple[Any, ...]:
    # The library is part of the key: 'area: leeds' may name a saved area whose file changes under
    # the same scenario id (default_library() then gives a new object). The folder and source name
    # matter for documents that name files (CLI only) and for the file name in messages.
    return (doc.scenario_id, id(lib), doc.origin, str(doc.base_dir), doc.source)


def evaluate_document(doc: ScenarioDocument, library: Library | None = None) -> Evaluation:
    """The :class:`Evaluation` of ``doc`` (the same object for the same document, library and
    folder, among the last :data:`CACHE_SIZE` of this process)."""
    lib = library if library is not None else default_library()  # (a look at the saved areas' folder)
    key = _key(doc, lib)
    with _cache_lock:
        ev = _cache.get(key)
        if ev is not None and ev.library is lib:
            _cache.move_to_end(key)
            return ev
        ev = Evaluation(doc, lib, scenario_id=key[0])
        _cache[key] = ev
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        return ev


def clear_evaluations() -> None:
    """Forget every cached evaluation (tests; a long-running process after the library changed)."""
    with _cache_lock:
        _cache.clear()


def copied(data: dict[str, Any]) -> dict[str, Any]:
    """A copy a caller may change without changing the shared evaluation: the figures are plain
    data (dicts, lists, numbers, strings, numpy arrays), which a pickle round trip copies deeply
    in a quarter to a fifth of ``copy.deepcopy``'s time (its memo and dispatch per object are
    the cost: the cash view 1.8 to 0.4 ms, the monthly appraisal 15 to 4 ms); anything a pickle
    cannot hold is copied by ``copy.deepcopy`` as before."""
    try:
        return pickle.loads(pickle.dumps(data, pickle.HIGHEST_PROTOCOL))  # noqa: S301 - our own bytes, just made
    except (pickle.PicklingError, TypeError, AttributeError):
        return copy.deepcopy(data)


# -- what the commands print (copies, so a caller may change them) ------------------------------------


def run_document(doc: ScenarioDocument, library: Library | None = None) -> dict[str, Any]:
    """What ``carescale run --format json`` prints (the run and its bridge)."""
    return copied(evaluate_document(doc, library).run_output())


def appraise_document(doc: ScenarioDocument, library: Library | None = None, *, monthly: bool = False) -> dict[str, Any]:
    """What ``carescale appraise --format json`` prints (``monthly``: also the monthly flows)."""
    return copied(evaluate_document(doc, library).appraisal_output(monthly))


def uncertainty_document(
    doc: ScenarioDocument,
    library: Library | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """What ``carescale uncertainty --format json`` prints."""
    return copied(evaluate_document(doc, library).uncertainty(progress))
