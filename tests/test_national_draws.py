"""The national probabilistic case on Dask (issue 12): the same figures in-process, on one and
on two local worker processes; seeds keyed by council and by piece of evidence; England adds up
draw by draw; loopback only; one-line errors for bad options."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from carescale.errors import SettingsError
from carescale.national import build_profiles, select_councils
from carescale.official import read_ascof, read_mye
from carescale.national.scaleout import dask_client, run_national_uncertainty
from carescale.uncertainty import Model
from carescale.uncertainty.sampling import is_local, sample_keyed

from .conftest import RAW, needs_shared, run_cli
from .test_national import small_files  # noqa: F401  (a fixture)
from .test_official import ASCOF_FILE, MYE_FILE

CODES = "E08000025,E06000001,E10000016,E06000063"  # Birmingham, Hartlepool, Kent, Cumberland
DRAWS = 400


@pytest.fixture(scope="module")
def inputs():
    needs_shared(RAW / MYE_FILE)
    needs_shared(RAW / ASCOF_FILE)
    return select_councils(build_profiles(read_mye(RAW / MYE_FILE), read_ascof(RAW / ASCOF_FILE)), CODES)


@pytest.fixture(scope="module")
def in_process(inputs):
    return run_national_uncertainty(inputs, DRAWS, 7)


def figures(data: dict) -> str:
    return json.dumps({k: v for k, v in data.items() if k != "run"}, sort_keys=True)


@pytest.mark.slow  # everyday run leaves it out (docs/performance.md section 5); CI runs it
def test_identical_on_one_and_two_worker_processes(inputs, in_process):
    import psutil

    with dask_client(workers=2) as client:
        pids = [psutil.Process().pid, *client.run(lambda: __import__("os").getpid()).values()]
        assert len(pids) == 3
        # forked by a fork server (of one thread), not by this process, whose threads' locks a fork would copy
        parents = {psutil.Process(pid).parent() for pid in pids[1:]}
        assert len(parents) == 1 and "multiprocessing.forkserver" in " ".join(parents.pop().cmdline())
        # the batch settings (national/cluster.py) reach the workers: no profiler
        assert not any(client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks).values())
        listening = [c.laddr for pid in pids for c in psutil.Process(pid).net_connections("inet") if c.status == "LISTEN"]
        assert listening and all(a.ip == "127.0.0.1" for a in listening), listening  # loopback only
        two = run_national_uncertainty(inputs, DRAWS, 7, client=client)
    one = run_national_uncertainty(inputs, DRAWS, 7, workers=1)
    assert figures(two) == figures(in_process)
    assert figures(one) == figures(in_process)
    assert one["run"]["where"] == "a local Dask cluster of 1 worker process"
    assert in_process["run"]["where"] == "in-process (one Dask worker thread)"


def test_contract_and_real_values(in_process):
    d = in_process
    assert {a["code"] for a in d["areas"]} == set(CODES.split(","))
    assert d["draws"] == DRAWS and d["seed"] == 7 and d["npv_years"] == 10
    for block in [*d["areas"], d["england"]]:
        for m in ("net_savings", "npv"):
            assert set(block[m]) == {"total", "asc", "nhs"}
            t = block[m]["total"]
            assert t["p05"] <= t["p50"] <= t["p95"] and 0 <= t["prob_saving"] <= 1
            assert t["mean"] == pytest.approx(block[m]["asc"]["mean"] + block[m]["nhs"]["mean"], abs=0.02)
    # England is the councils' sum, draw by draw (so its mean is the sum of their means)
    for m in ("net_savings", "npv"):
        assert d["england"][m]["total"]["mean"] == pytest.approx(sum(a[m]["total"]["mean"] for a in d["areas"]), abs=0.05)
    # Birmingham's mean annual net saving is near its deterministic figure (the roll-up's
    # £7,507,314 ASC + £1,841,608 NHS with the real files), within the Monte Carlo spread
    b = next(a for a in d["areas"] if a["code"] == "E08000025")
    assert b["net_savings"]["total"]["p05"] < 7_507_314.30 + 1_841_608.19 < b["net_savings"]["total"]["p95"]
    assert b["net_savings"]["total"]["prob_saving"] > 0.9


def test_a_council_gets_the_same_draws_alone_or_with_others(inputs, in_process):
    alone = run_national_uncertainty(select_councils(inputs, "E06000001"), DRAWS, 7)
    together = next(a for a in in_process["areas"] if a["code"] == "E06000001")
    assert json.dumps(alone["areas"][0], sort_keys=True) == json.dumps(together, sort_keys=True)
    other_seed = run_national_uncertainty(select_councils(inputs, "E06000001"), DRAWS, 8)
    assert other_seed["areas"][0]["net_savings"] != together["net_savings"]


def test_evidence_draws_are_shared_and_area_draws_are_the_councils_own(inputs):
    import carescale

    councils = {c.area.ons_code: c.area for c in inputs.councils}
    draws = {}
    for code in ("E08000025", "E10000016"):
        scen = carescale.define_scenario(councils[code], None)
        m = Model.build(scen)
        draws[code] = (m, sample_keyed(m.groups, m.derived, 50, 7, code))
    (ma, va), (mb, vb) = draws["E08000025"], draws["E10000016"]
    evidence = [g for g in ma.groups if not g.fixed and not is_local(g)]
    local = [g for g in ma.groups if not g.fixed and is_local(g)]
    assert evidence and local
    kent = {g.id: g for g in mb.groups}
    priced = 0
    for g in evidence:
        a, b = g.members[0].marginal, kent[g.id].members[0].marginal
        if a == b:
            np.testing.assert_array_equal(va[g.paths[0]], vb[g.paths[0]])
        else:  # a saving priced by Kent's unit cost (priced_by): the same stream, scaled by Kent's cost over the site's
            priced += 1
            np.testing.assert_allclose(va[g.paths[0]] * (b.value / a.value), vb[g.paths[0]], rtol=1e-9)
    assert priced == 6  # the paper's person-based ASC savings with a council unit cost (the NHS ones use England's)
    for g in local:  # relative spread is the same kind, the draws are different
        assert not np.allclose(va[g.paths[0]] / va[g.paths[0]].mean(), vb[g.paths[0]] / vb[g.paths[0]].mean())


def test_evidence_draws_are_drawn_once_per_process_and_equal_a_fresh_draw(inputs):
    """Issue 25: the evidence's draws are the same in every council, so a process draws them
    once (carescale.uncertainty.sampling._EVIDENCE); they equal the group's own stream drawn
    afresh, are shared read-only between councils, and another seed or number of draws is
    drawn again."""
    import carescale
    from carescale.uncertainty import sampling

    councils = {c.area.ons_code: c.area for c in inputs.councils}
    sampling._EVIDENCE.clear()
    out = {}
    for code in ("E08000025", "E10000016"):
        m = Model.build(carescale.define_scenario(councils[code], None))
        out[code] = (m, sample_keyed(m.groups, m.derived, 40, 11, code))
    (m, va), (mk, vb) = out["E08000025"], out["E10000016"]
    evidence = [g for g in m.groups if not g.fixed and not is_local(g)]
    kent = {g.id: g for g in mk.groups}
    own = [g for g in evidence if g.members[0].marginal != kent[g.id].members[0].marginal]  # priced by Kent's unit costs
    assert len(own) == 6
    assert len(sampling._EVIDENCE) == len([g for g in m.groups if not is_local(g)]) + len(own)
    for g in evidence:
        fresh: dict = {}
        rng = np.random.default_rng(np.random.SeedSequence(11, spawn_key=(sampling.stable_key(g.id),)))
        sampling._draw_group(g, rng, 40, fresh)
        for path in g.paths:
            np.testing.assert_array_equal(va[path], fresh[path])
            assert (va[path] is vb[path]) == (g not in own) and not va[path].flags.writeable
    other = sample_keyed(m.groups, m.derived, 40, 12, "E08000025")
    assert not np.array_equal(other[evidence[0].paths[0]], va[evidence[0].paths[0]])
    assert len(sample_keyed(m.groups, m.derived, 30, 11, "E08000025")[evidence[0].paths[0]]) == 30


def test_cli_draws_json_csv_and_table(small_files):  # noqa: F811
    mye, ascof = small_files
    base = ["national", "--mye", str(mye), "--ascof", str(ascof), "--draws", "50", "--seed", "3"]
    r = run_cli(*base, "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert [a["code"] for a in data["areas"]] == ["E08000025", "E06000001"]
    assert data["england"]["councils"] == 2 and data["excluded"][0]["code"] == "E06000999"
    c = run_cli(*base, "--format", "csv")
    assert c.code == 0, c.err
    lines = c.out.strip().splitlines()
    assert lines[0] == "code,name,measure,payer,mean,sd,p05,p50,p95,prob_saving"
    # two councils, their two regions and England; two measures; three payer views
    assert len(lines) == 1 + 5 * 2 * 3
    assert [x.split(",")[1] for x in lines[1::6]] == [
        "Birmingham", "Hartlepool", "North East (1 council)", "West Midlands (1 council)", "England (2 councils)"]
    assert data["regions"][1]["net_savings"] == data["areas"][0]["net_savings"]  # one council: its own figures
    t = run_cli(*base)
    assert t.code == 0, t.err
    assert "England (2 councils)" in t.out and "50 draws per council, seed 3" in t.out
    assert "West Midlands (1 council)" in t.out


@pytest.mark.slow  # a fresh `carescale` process: Dask and the fork server imported from nothing
def test_cli_on_worker_processes_gives_the_in_process_figures(small_files):  # noqa: F811
    import os
    import subprocess
    import sys

    mye, ascof = small_files
    base = ["national", "--mye", str(mye), "--ascof", str(ascof), "--draws", "50", "--seed", "3", "--format", "json"]
    exe = os.path.join(os.path.dirname(sys.executable), "carescale")
    got = subprocess.run([exe, *base, "--workers", "2"], capture_output=True, text=True, timeout=300)
    assert got.returncode == 0, got.stderr[-2000:]
    data = json.loads(got.stdout)
    assert data["run"]["where"] == "a local Dask cluster of 2 worker processes"
    assert figures(data) == figures(run_cli(*base).json())


@pytest.mark.parametrize("args, message", [
    (["--seed", "3"], "error: --seed: only with --draws N (the probabilistic case)\n"),
    (["--workers", "2"], "error: --workers: only with --draws N (the probabilistic case)\n"),
    (["--draws", "10", "--workers", "0"], "error: --workers: 0 is not valid; give a whole number of worker processes from 1 to 256\n"),
    (["--draws", "10", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
     "error: --workers and --scheduler: give one or the other (a local cluster, or an existing one)\n"),
    (["--draws", "0"], "error: draws: 0 is not valid; give a whole number of draws from 1 to 1,000,000\n"),
    (["--draws", "10", "--seed", "-1"], "error: seed: -1 is not valid; give a whole number, 0 or more\n"),
    (["--councils", "E0800002"], "error: --councils: 'E0800002' is not a council in these files on 2023 boundaries; "
                                 "give ONS codes such as E08000025\n"),
    (["--councils", " , "], "error: --councils: no council codes given; give ONS codes separated by commas, e.g. E08000025\n"),
])
def test_cli_bad_options_give_one_line(small_files, args, message):  # noqa: F811
    mye, ascof = small_files
    r = run_cli("national", "--mye", str(mye), "--ascof", str(ascof), *args)
    assert (r.code, r.out, r.err) == (2, "", message)


def test_an_unreachable_scheduler_is_one_line(small_files, monkeypatch):  # noqa: F811
    import socket

    from carescale.national import cluster as client_module

    monkeypatch.setattr(client_module, "CONNECT_TIMEOUT", "1s")

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mye, ascof = small_files
    r = run_cli("national", "--mye", str(mye), "--ascof", str(ascof), "--draws", "10", "--scheduler", f"tcp://127.0.0.1:{port}")
    assert r.code == 2 and r.out == ""
    assert r.err.startswith(f"error: --scheduler: cannot connect to 'tcp://127.0.0.1:{port}' (")
    assert r.err.endswith("give the address of a running Dask scheduler, e.g. tcp://127.0.0.1:8786\n")
    assert r.err.count("\n") == 1


def test_scheduler_runs_on_an_existing_cluster(inputs, in_process):
    """--scheduler ADDRESS: the same figures on a cluster started elsewhere (here, in this process)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None,
                      scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                      worker_dashboard_address="127.0.0.1:0", protocol="tcp", host="127.0.0.1") as cluster:
        got = run_national_uncertainty(select_councils(inputs, "E06000001,E08000025"), DRAWS, 7, scheduler=cluster.scheduler_address)
    assert got["run"]["where"] == f"the Dask cluster at {cluster.scheduler_address}"
    want = {a["code"]: a for a in in_process["areas"]}
    for a in got["areas"]:
        assert json.dumps(a, sort_keys=True) == json.dumps(want[a["code"]], sort_keys=True)


def test_batches_hold_each_council_once_within_its_region():
    from carescale.national.draws import batches

    regions = ["A"] * 13 + ["B"] * 2 + ["C"] + ["A"] * 3
    got = batches(regions, 6)
    assert sorted(i for b in got for i in b) == list(range(len(regions)))
    assert all(len(b) <= 6 and len({regions[i] for i in b}) == 1 for b in got)
    # 16 councils of A in full batches of 6 and what is left (4), in order; the longest first
    assert [b for b in got if regions[b[0]] == "A"] == [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11], [12, 16, 17, 18]]
    assert [len(b) for b in got] == sorted((len(b) for b in got), reverse=True)


def test_results_do_not_depend_on_how_councils_are_batched(inputs, monkeypatch):
    from carescale.national import draws

    few = select_councils(inputs, ",".join(c.area.ons_code for c in inputs.councils[:7]))
    monkeypatch.setattr(draws, "BATCH", 1)
    one_each = run_national_uncertainty(few, 100, 1)
    monkeypatch.setattr(draws, "BATCH", 4)
    assert figures(run_national_uncertainty(few, 100, 1)) == figures(one_each)


def test_results_do_not_depend_on_the_order_of_councils(inputs):
    shuffled = dataclasses.replace(inputs, councils=tuple(reversed(inputs.councils)))
    a = run_national_uncertainty(inputs, 100, 1)
    b = run_national_uncertainty(shuffled, 100, 1)
    assert a["england"] == b["england"]
    assert {x["code"]: x for x in a["areas"]} == {x["code"]: x for x in b["areas"]}


def test_local_clusters_leave_out_the_monitoring_of_a_long_running_cluster():
    """national/cluster.py's BATCH_SETTINGS: set while carescale makes its cluster, not after."""
    import dask
    from distributed.nanny import WorkerProcess

    from carescale.national.cluster import BATCH_SETTINGS

    before = {k: dask.config.get(k) for k in BATCH_SETTINGS}
    interval = WorkerProcess.__dict__.get("_init_msg_interval")
    with dask_client() as client:
        worker = next(iter(client.cluster.workers.values()))
        assert "profile" not in worker.periodic_callbacks
        assert "stealing" not in client.cluster.scheduler.extensions
        assert client.direct_to_workers
    assert {k: dask.config.get(k) for k in BATCH_SETTINGS} == before
    assert WorkerProcess.__dict__.get("_init_msg_interval") == interval


def test_bad_workers_in_python_is_a_settings_error():
    with pytest.raises(SettingsError):
        with dask_client(workers=True):  # type: ignore[arg-type]
            pass


# -- a scenario document in every council ----------------------------------------------------


def test_scenario_document_runs_in_every_council(inputs, tmp_path):
    """national --scenario: the document's interventions, scale, overrides and price base apply
    in each council; annual net saving is linear in the scale, so half of Shared Lives saves
    exactly half (to the penny) in every council and in England."""
    from carescale.national import run_national
    from carescale.scenarios import parse_scenario

    full = parse_scenario("version: 1\ninterventions: [shared-lives]\nreprice: false\n")
    half = full.with_changes(scale={"shared-lives": 0.5}, note="half")
    a, b = run_national(inputs, document=full), run_national(inputs, document=half)
    assert b["scenario"] == {"id": half.scenario_id, "note": "half"} and b["portfolio"] == ["shared-lives"]
    for x, y in zip(a["areas"], b["areas"]):
        assert list(y["interventions"]) == ["shared-lives"]
        for p in ("asc", "nhs"):
            assert y["net_savings"][p] == pytest.approx(x["net_savings"][p] / 2, abs=0.01)
    # with no document, the paper's portfolio at published prices, as before
    plain = run_national(inputs)
    assert plain["scenario"] is None and len(plain["areas"][0]["interventions"]) > 1


def test_scenario_document_with_draws_uses_its_settings(small_files, tmp_path):  # noqa: F811
    mye, ascof = small_files
    doc = tmp_path / "s.yaml"
    doc.write_text("version: 1\ninterventions: [shared-lives]\nreprice: false\nappraisal: {years: 5}\n"
                   "uncertainty: {seed: 11, width_scale: 0.5}\nnote: national test\n")
    base = ["national", "--mye", str(mye), "--ascof", str(ascof), "--scenario", str(doc), "--draws", "60"]
    r = run_cli(*base, "--format", "json")
    assert r.code == 0, r.err
    d = r.json()
    assert (d["seed"], d["width_scale"], d["npv_years"]) == (11, 0.5, 5)
    assert d["scenario"]["note"] == "national test"
    assert run_cli(*base, "--seed", "12", "--format", "json").json()["seed"] == 12
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 2\n")
    r = run_cli("national", "--mye", str(mye), "--ascof", str(ascof), "--scenario", str(bad))
    assert r.code == 2 and r.out == "" and r.err.count("\n") == 1 and "version" in r.err


@pytest.mark.parametrize("code", ["E08000025", "E10000016"])
def test_a_councils_annual_portfolio_is_the_engines_bit_for_bit(inputs, code):
    """Issue 25: each council's annual net saving comes from the engine's annual figures alone
    (uncertainty.evaluation.annual_portfolio), without the per-model results; it is the full
    steady-state run's portfolio to the last bit on every draw, with a scale per draw and a
    model switched off on some draws too."""
    import carescale
    from carescale.uncertainty.evaluation import annual, annual_portfolio

    councils = {c.area.ons_code: c.area for c in inputs.councils}
    scen = carescale.define_scenario(councils[code], None)
    m = Model.build(scen)
    values = dict(sample_keyed(m.groups, m.derived, 300, 7, code))
    want = annual(scen, values, m.params).portfolio
    got = annual_portfolio(scen, values, m.params)
    assert got.shape == (300, 2) and np.all(np.isfinite(got)) and np.ptp(got[:, 0]) > 0
    np.testing.assert_array_equal(got, want)
    iid = scen.interventions[0].id
    values[f"{iid}.scale"] = np.where(np.arange(300) % 3 == 0, 0.0, np.linspace(0.2, 1.5, 300))
    np.testing.assert_array_equal(annual_portfolio(scen, values, m.params), annual(scen, values, m.params).portfolio)
