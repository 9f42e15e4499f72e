#!/usr/bin/env python3
"""Capture carescale's outputs for four scenarios into a folder (issue 20: the refactor must not
change them). Run from the root of a checkout, with that checkout's source first:

    .venv/bin/python tests/goldens/capture.py --draws 1000 /tmp/before
    ... refactor ...
    .venv/bin/python tests/goldens/capture.py --draws 1000 /tmp/after
    .venv/bin/python tests/goldens/compare.py /tmp/before /tmp/after

tests/test_goldens.py does the second and third steps against tests/goldens/reference.tar.gz
(the first step, captured on main just before the layout change).

Scenarios: the Birmingham default; a part-scale one (scale: living-well 0.5, shared-lives 0.25);
an overridden one (living-well.older-people-multiple-ltc.people=2000); Cornwall on the current
basis. For each (folder NAME/):
  cli/{run,appraise,uncertainty,parameters}.{json,csv}   stdout of the CLI, byte for byte
  cli/report.md                                          carescale report -o report.md
  cli/report.pdf.txt                                     text of report.pdf per page (pypdf)
  cli/report.xlsx.json                                   every cell: formula (or value) and cached value
  cli/report.html                                        carescale report -o report.html
  web/result.html                                        GET /scenario/{sid} (the result page)
  web/results.json, web/results.csv                      the page's downloads
  web/api-{run,appraise,uncertainty}.json                POST /api/v1/... with the document
  meta.json                                              commands, exit codes, seconds
The CLI runs in subprocesses (the installed `carescale` script next to this Python), with
CARESCALE_HOME set to an empty folder (no saved areas, no library cache), COLUMNS=200, TZ=UTC.
--draws N passes --draws to uncertainty and report (default: the CLI's own default, 10,000).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

#: name -> (CLI arguments, scenario document for the web app)
SCENARIOS: dict[str, tuple[list[str], dict]] = {
    "birmingham-default": (["--area", "birmingham"], {"version": 1, "area": "birmingham"}),
    "part-scale": (
        ["--scenario", "{inputs}/part-scale.yaml"],
        {"version": 1, "area": "birmingham", "scale": {"living-well": 0.5, "shared-lives": 0.25}},
    ),
    "overridden": (
        ["--area", "birmingham", "--set", "living-well.older-people-multiple-ltc.people=2000"],
        {"version": 1, "area": "birmingham", "overrides": {"living-well.older-people-multiple-ltc.people": 2000}},
    ),
    "cornwall-current": (
        ["--area", "cornwall", "--basis", "current"],
        {"version": 1, "area": "cornwall", "basis": "current"},
    ),
}

COMMANDS = ("run", "appraise", "uncertainty", "parameters")


def cli_exe() -> list[str]:
    exe = Path(sys.executable).parent / "carescale"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from carescale.cli import entry; entry()"]


def xlsx_cells(path: Path) -> dict:
    import openpyxl

    formulas = openpyxl.load_workbook(path, data_only=False)
    values = openpyxl.load_workbook(path, data_only=True)
    out: dict = {}
    for ws in formulas.worksheets:
        wv = values[ws.title]
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                v = wv[c.coordinate].value
                cells[c.coordinate] = [_plain(c.value), _plain(v)]
        out[ws.title] = cells
    out["_defined_names"] = sorted(f"{n}={formulas.defined_names[n].attr_text}" for n in formulas.defined_names)
    return out


def _plain(v):
    if isinstance(v, (int, float, str, bool)) or v is None:
        return v
    return str(v)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "".join(f"\n===== page {i + 1} =====\n{p.extract_text() or ''}" for i, p in enumerate(reader.pages))


def capture_cli(name: str, args: list[str], out: Path, env: dict, draws: int | None, meta: dict) -> None:
    d = out / name / "cli"
    d.mkdir(parents=True, exist_ok=True)
    args = [a.format(inputs=out / "inputs") for a in args]
    for cmd in COMMANDS:
        for fmt in ("json", "csv"):
            extra = ["--draws", str(draws)] if (cmd == "uncertainty" and draws) else []
            argv = [*cli_exe(), cmd, *args, *extra, "--format", fmt]
            t = time.perf_counter()
            proc = subprocess.run(argv, capture_output=True, env=env)
            (d / f"{cmd}.{fmt}").write_bytes(proc.stdout)
            if proc.stderr:
                (d / f"{cmd}.{fmt}.stderr").write_bytes(proc.stderr)
            meta[f"{name}/cli/{cmd}.{fmt}"] = {"argv": argv[1:], "exit": proc.returncode,
                                               "seconds": round(time.perf_counter() - t, 2)}
    for fmt in ("md", "html", "pdf", "xlsx"):
        target = d / f"report.{fmt}"
        extra = ["--draws", str(draws)] if draws else []
        argv = [*cli_exe(), "report", *args, *extra, "-o", str(target)]
        t = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, env=env)
        meta[f"{name}/cli/report.{fmt}"] = {"argv": argv[1:], "exit": proc.returncode,
                                            "seconds": round(time.perf_counter() - t, 2),
                                            "stderr": proc.stderr.decode(errors="replace")[-500:]}
        if proc.returncode != 0 or not target.exists():
            continue
        if fmt == "pdf":
            (d / "report.pdf.txt").write_text(pdf_text(target))
            target.unlink()
        elif fmt == "xlsx":
            (d / "report.xlsx.json").write_text(json.dumps(xlsx_cells(target), indent=1, sort_keys=True))
            target.unlink()


def capture_web(name: str, doc: dict, out: Path, draws: int | None, meta: dict) -> None:
    from fastapi.testclient import TestClient

    from carescale.web.app import create_app

    d = out / name / "web"
    d.mkdir(parents=True, exist_ok=True)
    if draws:
        doc = {**doc, "uncertainty": {**doc.get("uncertainty", {}), "draws": draws}}
    with TestClient(create_app()) as client:
        t = time.perf_counter()
        r = client.post("/api/v1/scenarios", json=doc)
        r.raise_for_status()
        sid = r.json()["scenario_id"] if "scenario_id" in r.json() else r.json()["id"]
        # the result page is drawn at once and its Monte Carlo is the scenario's background job
        # (issue 25): wait for it, so the page and the downloads below show its figures
        job = re.search(r'data-job="([^"]+)"', client.get(f"/scenario/{sid}").text)
        for _ in range(6000 if job else 0):
            if client.get(f"/api/v1/jobs/{job.group(1)}").json()["status"] not in ("queued", "running"):
                break
            time.sleep(0.05)
        pages = {
            "result.html": f"/scenario/{sid}",
            "results.json": f"/scenario/{sid}/results.json",
            "results.csv": f"/scenario/{sid}/results.csv",
        }
        for fname, url in pages.items():
            resp = client.get(url)
            (d / fname).write_bytes(resp.content)
            meta[f"{name}/web/{fname}"] = {"url": url, "status": resp.status_code}
        for kind in ("run", "appraise", "uncertainty"):
            resp = client.post(f"/api/v1/{kind}", json=doc)
            (d / f"api-{kind}.json").write_bytes(resp.content)
            meta[f"{name}/web/api-{kind}.json"] = {"status": resp.status_code}
        meta[f"{name}/web"] = {"scenario_id": sid, "seconds": round(time.perf_counter() - t, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--draws", type=int, default=None, help="draws for uncertainty and reports (default: CLI's)")
    ap.add_argument("--only", nargs="*", help="scenario names to capture (default: all)")
    ap.add_argument("--no-web", action="store_true")
    args = ap.parse_args()
    out: Path = args.folder.resolve()
    out.mkdir(parents=True, exist_ok=True)
    (out / "inputs").mkdir(exist_ok=True)
    for name, (_, doc) in SCENARIOS.items():
        (out / "inputs" / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    home = Path(tempfile.mkdtemp(prefix="carescale-goldens-"))
    os.environ.update({"CARESCALE_HOME": str(home), "COLUMNS": "200", "TZ": "UTC", "CARESCALE_NO_CACHE": "1"})
    os.environ.pop("DATABASE_URL", None)
    env = dict(os.environ)
    meta: dict = {"python": sys.version, "pythonpath": env.get("PYTHONPATH", "")}
    try:
        meta["git"] = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    for name, (args_, doc) in SCENARIOS.items():
        if args.only and name not in args.only:
            continue
        print(f"{name}: CLI", flush=True)
        capture_cli(name, args_, out, env, args.draws, meta)
        if not args.no_web:
            print(f"{name}: web", flush=True)
            capture_web(name, doc, out, args.draws, meta)
    (out / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True))
    failed = {k: v for k, v in meta.items() if isinstance(v, dict) and (v.get("exit") or 0) != 0}
    bad_web = {k: v for k, v in meta.items() if isinstance(v, dict) and v.get("status", 200) >= 400}
    for k, v in {**failed, **bad_web}.items():
        print(f"FAILED {k}: {v}", file=sys.stderr)
    print(f"wrote {out}")
    return 1 if failed or bad_web else 0


if __name__ == "__main__":
    raise SystemExit(main())
