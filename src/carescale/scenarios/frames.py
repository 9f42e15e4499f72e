"""Tidy (long) pandas DataFrames of run, appraisal and uncertainty results, for analysts.

One row per figure, with the columns :data:`COLUMNS`:

* ``model``: an intervention id, or ``overlap-deduction`` (the deduction for overlapping
  target groups, which only exists for the portfolio);
* ``segment``: a segment id for beneficiaries by segment, else empty;
* ``payer``: ``asc`` (the council's adult social care) or ``nhs``, or empty for a figure that is
  not split by payer (beneficiaries, set-up, wider benefits, a statistic of the total);
* ``measure``: what the figure is (``beneficiaries``, ``cost``, ``gross_savings``,
  ``net_savings``, ``setup_investment``, ``wider_benefits``, ``workforce.<role>``; for the
  appraisal ``cost``, ``setup``, ``gross_savings``, ``net``, ``discounted_net``,
  ``wider_benefits``, ``overlap_deduction``, ``npv``, ``net_budget_impact``; for uncertainty
  ``net_savings.<statistic>`` and ``npv.<statistic>`` with statistic ``mean``, ``sd``, ``p05``,
  ``p50``, ``p95``, and ``prob_saving``/``prob_positive``);
* ``period``: ``full-scale year`` (run and uncertainty of the annual saving), ``year N`` (the
  appraisal), or ``appraisal`` (a figure over the whole appraisal period);
* ``value``: the number (pounds in the run's price base, or people).

No totals are mixed into the rows: sum them yourself, for example
``frame[frame.measure == "net_savings"].groupby("payer").value.sum()`` (and, for the run's net
saving, add the ``overlap-deduction`` rows, which are negative).
"""

from __future__ import annotations

from typing import Any, Iterable

from ..schema import PAYERS
from .document import ScenarioDocument
from .evaluation import appraise_document, run_document, uncertainty_document

COLUMNS = ("model", "segment", "payer", "measure", "period", "value")
FULL_YEAR = "full-scale year"
STATS = ("mean", "sd", "p05", "p50", "p95")


def _frame(rows: Iterable[tuple]):
    import pandas as pd

    return pd.DataFrame(list(rows), columns=list(COLUMNS))


def _payers(model: str, measure: str, period: str, by_payer: dict[str, float]):
    for p in PAYERS:
        yield (model, "", p, measure, period, by_payer[p])


def run_rows(data: dict[str, Any]):
    """Rows of a ``run`` result (:func:`carescale.scenarios.run_document`)."""
    for i in data["interventions"]:
        m = i["id"]
        if i["beneficiaries"] is not None:
            yield (m, "", "", "beneficiaries", FULL_YEAR, i["beneficiaries"])
        for s in i["segments"]:
            yield (m, s["id"], "", "beneficiaries", FULL_YEAR, s["beneficiaries"])
        yield from _payers(m, "cost", FULL_YEAR, i["cost_by_payer"])
        yield from _payers(m, "gross_savings", FULL_YEAR, i["gross_savings"])
        yield from _payers(m, "net_savings", FULL_YEAR, i["net_savings"])
        yield (m, "", "", "setup_investment", FULL_YEAR, i["setup_investment"])
        yield (m, "", "", "wider_benefits", FULL_YEAR, i["wider_benefits"])
        for role, n in i["workforce"].items():
            yield (m, "", "", f"workforce.{role}", FULL_YEAR, n)
    minus = {p: -v for p, v in data["totals"]["overlap_deduction"].items()}
    yield from _payers("overlap-deduction", "net_savings", FULL_YEAR, minus)


def appraisal_rows(data: dict[str, Any]):
    """Rows of an ``appraise`` result (:func:`carescale.scenarios.appraise_document`)."""
    for i in data["interventions"]:
        m = i["id"]
        for y in i["years"]:
            period = f"year {y['year']}"
            yield from _payers(m, "cost", period, y["cost_by_payer"])
            yield (m, "", "", "setup", period, y["setup"])
            yield from _payers(m, "gross_savings", period, y["gross_savings_by_payer"])
            yield from _payers(m, "net", period, y["net_by_payer"])
            yield from _payers(m, "discounted_net", period, y["discounted_net_by_payer"])
            yield (m, "", "", "wider_benefits", period, y["wider_benefits"])
        yield from _payers(m, "npv", "appraisal", i["metrics"]["npv_by_payer"])
        yield from _payers(m, "net_budget_impact", "appraisal", i["metrics"]["net_budget_impact_by_payer"])
    for y in data["portfolio"]["years"]:
        if "overlap_deduction_by_payer" in y:
            yield from _payers("overlap-deduction", "overlap_deduction", f"year {y['year']}",
                               y["overlap_deduction_by_payer"])


def uncertainty_rows(data: dict[str, Any]):
    """Rows of an ``uncertainty`` result (:func:`carescale.scenarios.uncertainty_document`):
    statistics of each model's own draws (a portfolio statistic is not a sum of them, so the
    portfolio's are under ``model`` ``portfolio``)."""
    for i in [*data["interventions"], {"id": "portfolio", **data["portfolio"]}]:
        m = i["id"]
        for stat in STATS:
            yield (m, "", "", f"net_savings.{stat}", FULL_YEAR, i["net_savings"][stat])
            for p in PAYERS:
                yield (m, "", p, f"net_savings.{stat}", FULL_YEAR, i["net_savings_by_payer"][p][stat])
        yield (m, "", "", "prob_saving", FULL_YEAR, i["prob_saving"])
        if i.get("npv"):
            for stat in STATS:
                yield (m, "", "", f"npv.{stat}", "appraisal", i["npv"]["summary"][stat])
            yield (m, "", "", "prob_positive", "appraisal", i["npv"]["prob_positive"])


def _result(data: Any, run) -> dict[str, Any]:
    """``data`` itself, or the result of running it when it is a scenario document (read from
    the document's one Evaluation: a frame of a document already run does not run it again)."""
    return run(data) if isinstance(data, ScenarioDocument) else data


def run_frame(data: Any):
    """A tidy DataFrame of a run: a result dict, or a scenario document to run (see the module
    docstring for the columns)."""
    return _frame(run_rows(_result(data, run_document)))


def appraisal_frame(data: Any):
    """A tidy DataFrame of an appraisal: a result dict, or a scenario document to appraise."""
    return _frame(appraisal_rows(_result(data, appraise_document)))


def uncertainty_frame(data: Any):
    """A tidy DataFrame of an uncertainty run: a result dict, or a scenario document."""
    return _frame(uncertainty_rows(_result(data, uncertainty_document)))
