"""The national probabilistic case: Monte Carlo of the portfolio in every English council, and
the distribution of the England total, run as Dask tasks of a few councils of one region each.

For each council (profiles from :func:`carescale.national.build_profiles`), ``draws`` draws of
every uncertain figure (the ranges of docs/uncertainty.md) give, per draw and payer, the annual
net saving at full scale (the engine on the steady state) and the NPV over the appraisal period
(the NPV-only route, :func:`carescale.appraisal.appraise_npv`). Draws use
:func:`carescale.uncertainty.sampling.sample_keyed`: one seed, with a
:class:`numpy.random.SeedSequence` stream per correlation group, keyed by the council's ONS code
for the council's own figures. So the evidence takes the same draws in every council, every
council's own figures are independent, England's total adds up draw by draw, and the results
do not depend on how the councils are split between tasks or workers.

Each council's figures are rounded to the penny per draw and England's total is summed in whole
pence (integers), so it is exact whatever order the councils finish in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..appraisal import appraise_npv
from ..engine.summary import price_block
from ..library import default_library
from ..scenarios import ScenarioDocument
from ..scenarios.build import document_prices
from ..schema import PAYERS, Area
from ..uncertainty import Model, UncertaintySettings
from ..uncertainty.analysis import describe
from ..uncertainty.evaluation import annual_portfolio
from ..uncertainty.sampling import sample_keyed
from .cluster import dask_client, describe_client, run_tasks
from .regions import council_region
from .run import council_scenario

MEASURES = {
    "net_savings": "annual net saving at full scale, pounds a year (steady state)",
    "npv": "net present value over the appraisal period, pounds (appraisal defaults)",
}


@dataclass(frozen=True)
class CouncilTask:
    """What one worker needs for one council (small, picklable)."""

    area: Area
    draws: int
    seed: int
    width_scale: float
    document: Any = None  # a carescale.scenarios.ScenarioDocument run in every council


def council_draws(task: CouncilTask) -> dict[str, Any]:
    """Per-draw annual net saving and NPV of the default portfolio in one council, by payer,
    in whole pence (int64 arrays of shape (draws, payers)), and their :func:`distribution`
    (``distributions``). Runs on a Dask worker."""
    area = task.area
    # the council's document is built through its Evaluation (national.run); the draws are other
    # values than the document's one draw, so they go through the engine here
    scenario = council_scenario(area, default_library(), task.document)
    model = Model.build(scenario, task.width_scale)
    values = sample_keyed(model.groups, model.derived, task.draws, task.seed, area.ons_code or area.id)
    net = annual_portfolio(scenario, values, model.params)  # annual(...).portfolio, bit for bit
    npv = appraise_npv(scenario, None if task.document is None else task.document.appraisal, values, model.params)
    out = {
        "net_savings": np.rint(net * 100).astype(np.int64),
        "npv": np.rint(npv.portfolio_by_payer * 100).astype(np.int64),
        "years": npv.settings.years,
        "not_modelled": [n.id for n in scenario.not_modelled],
    }
    # the council's own distributions are worked out here, on the worker, in parallel with the
    # other councils (in the gathering process they were a serial third of the run)
    out["distributions"] = {m: distribution(out[m]) for m in MEASURES}
    return out


#: Councils per Dask task at most. A task of one council (about 25 ms of engine work at
#: 10,000 draws) cost the gathering process about 6 ms of its own (scheduling, moving 0.5 MB of
#: draws, adding them up): on two cores that process took a third of a core from the two
#: workers. A batch adds its councils' draws up on the worker and sends one sum per measure.
#: Each task still costs that process about 5 ms of Dask's messages, taken from the workers'
#: cores: 10 a batch (20 tasks for England's 153 councils, 29 at 6).
BATCH = 10


def council_batch(tasks: list[CouncilTask]) -> dict[str, Any]:
    """:func:`council_draws` for each task (councils of one region), their draws summed per
    measure in whole pence (``sums``, exact in any order) and each council's own figures
    (``councils``: distributions, NPV years, models not modelled) in the tasks' order. Runs on
    a Dask worker."""
    sums: dict[str, np.ndarray] = {}
    councils = []
    for task in tasks:
        one = council_draws(task)
        for m in MEASURES:
            if m in sums:
                sums[m] += one[m]
            else:
                sums[m] = one[m]
        councils.append({k: one[k] for k in ("years", "not_modelled", "distributions")})
    return {"sums": sums, "councils": councils}


def batches(regions: list[str], size: int | None = None) -> list[list[int]]:
    """Indices of councils in batches of at most ``size`` (:data:`BATCH`), each within one region
    (``regions``: each council's region code, in order), in the councils' order within a region:
    full batches, then what is left of the region, the longest first. So the last tasks to run
    are the regions' short remainders, and the workers finish together (batches of even length,
    5 to 6 councils, left one worker up to a batch behind the other: each worker holds its next
    task while it runs one)."""
    size = size or BATCH
    by_region: dict[str, list[int]] = {}
    for i, code in enumerate(regions):
        by_region.setdefault(code, []).append(i)
    out = []
    for idx in by_region.values():
        out.extend(idx[k:k + size] for k in range(0, len(idx), size))
    return sorted(out, key=len, reverse=True)


def distribution(pence: np.ndarray) -> dict[str, Any]:
    """Mean, sd, 5th/50th/95th percentiles (as ``carescale uncertainty`` reports them) and the
    probability of a saving (above zero), for the total over payers and for each payer, from
    (draws, payers) whole pence."""
    def one(x: np.ndarray) -> dict[str, float]:
        return {**describe(x / 100.0), "prob_saving": round(float(np.mean(x > 0)), 4)}

    return {"total": one(pence.sum(axis=1)), **{p: one(pence[:, i]) for i, p in enumerate(PAYERS)}}


def run_national_uncertainty(
    inputs,
    draws: int,
    seed: int,
    *,
    width_scale: float = 1.0,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    document: Any = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The ``carescale national --draws N --format json`` contract for :class:`~carescale.
    national.NationalInputs`. ``workers``/``scheduler`` choose where the councils run (see
    :mod:`carescale.national.cluster`), or ``client`` gives a ``distributed.Client`` already
    made; the figures do not depend on it. ``document``: a scenario document to run in every
    council (:func:`carescale.national.council_scenario`; its appraisal settings give the NPV)."""
    s = UncertaintySettings(draws=draws, seed=seed, width_scale=width_scale)  # checks the numbers
    prices = price_block(document_prices(document if document is not None else ScenarioDocument()))
    councils = list(inputs.councils)
    region_of = [council_region(c.area.ons_code) for c in councils]
    groups = batches([r["code"] for r in region_of])
    tasks = [[CouncilTask(councils[i].area, s.draws, s.seed, s.width_scale, document) for i in g] for g in groups]
    rows: list[dict[str, Any] | None] = [None] * len(councils)
    england = {m: np.zeros((s.draws, len(PAYERS)), dtype=np.int64) for m in MEASURES}
    years: set[int] = set()
    #: region code -> (name, councils, per-measure sums in whole pence as England's; once the
    #: region's last batch is in, its distributions)
    regions: dict[str, list[Any]] = {}
    in_region: dict[str, int] = {}
    for r in region_of:
        in_region[r["code"]] = in_region.get(r["code"], 0) + 1

    def done(b: int, result: dict[str, Any]) -> None:
        region = region_of[groups[b][0]]
        acc = regions.get(region["code"])
        if acc is None:
            acc = regions[region["code"]] = [region["name"], 0, {m: np.zeros((s.draws, len(PAYERS)), dtype=np.int64) for m in MEASURES}]
        acc[1] += len(groups[b])
        for m in MEASURES:
            england[m] += result["sums"][m]
            acc[2][m] += result["sums"][m]
        if acc[1] == in_region[region["code"]]:  # the region is complete: its figures now, while
            acc[2] = {m: distribution(acc[2][m]) for m in MEASURES}  # the workers still work
        for i, one in zip(groups[b], result["councils"]):
            prof = councils[i]
            years.add(one["years"])
            rows[i] = {
                "code": prof.area.ons_code,
                "name": prof.area.name,
                "cassr": prof.cassr,
                "region": region_of[i],
                **{m: one["distributions"][m] for m in MEASURES},
                "estimated_figures": len(prof.estimated),
                "not_modelled": one["not_modelled"],
            }
            if progress is not None:
                progress(prof.area.name)

    if client is not None:
        run_tasks(client, council_batch, tasks, done=done)
        where = f"the Dask cluster at {client.scheduler.address}"
    else:
        with dask_client(workers, scheduler) as own:
            run_tasks(own, council_batch, tasks, done=done)
        where = describe_client(workers, scheduler)
    return {
        "scenario": None if document is None else {"id": document.scenario_id, "note": document.note},
        "draws": s.draws,
        "seed": s.seed,
        "width_scale": s.width_scale,
        "boundaries": inputs.boundaries,
        "measures": MEASURES,
        "npv_years": sorted(years)[0] if len(years) == 1 else sorted(years),
        "units": f"GBP, {prices['label']}; percentiles over draws; prob_saving = share of draws above zero",
        "prices": prices,
        "seeds": "numpy SeedSequence(seed) per correlation group; council figures keyed by ONS code",
        "areas": rows,
        "excluded": list(inputs.excluded),
        "england": {"councils": len(rows), **{m: distribution(england[m]) for m in MEASURES}},
        # each region summed draw by draw in whole pence (as England), so a region's percentiles
        # are of its own total, not sums of its councils' percentiles
        "regions": [{"code": code, "name": name, "councils": n, **figs} for code, (name, n, figs) in sorted(regions.items())],
        "run": {"where": where},
    }
