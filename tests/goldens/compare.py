#!/usr/bin/env python3
"""Compare two folders written by capture.py (issue 20).

    python tests/goldens/compare.py BEFORE AFTER [--allow overridden/cli/run.json ...] [--show N]

Rules (the issue's acceptance):
  * cli/*.json, cli/*.csv, web/*.json, web/*.csv: byte-identical.
  * report.md, report.pdf.txt, report.html, web/result.html: equal after removing what changes
    from run to run by itself (dates of the day, matplotlib's random SVG ids, job ids, the
    scenario document's created_at, the CSRF token of the page's forms); report.html's embedded
    <svg> charts are compared too.
  * report.xlsx.json: every cell equal (formula text and cached value; floats to 1e-9 relative).
  * meta.json: only the exit codes and HTTP statuses (not the seconds).
A file in one folder and not the other is a difference. --allow PATH accepts a difference in
that file (the two wrong answers the issue lets change). Exit 1 if anything differs.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
import sys
from pathlib import Path

VOLATILE = [
    # dates of the day in words or ISO form (reports say when they were made)
    (re.compile(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b"), "<DATE>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b"), "<DATETIME>"),
    # matplotlib SVG ids and clip paths (random unless svg.hashsalt is set)
    (re.compile(r'\b(id|href|clip-path)="(#)?[a-z]*[0-9a-f]{8,}[0-9a-z_]*"'), r'\1="<ID>"'),
    (re.compile(r"url\(#[a-z]*[0-9a-f]{8,}[0-9a-z_]*\)"), "url(#<ID>)"),
    # background job ids (uuid4 hex)
    (re.compile(r"/jobs/[0-9a-f]{16,}"), "/jobs/<JOB>"),
    # each browser's own CSRF token in the page's forms (issue 27)
    (re.compile(r'name="csrf_token" value="[A-Za-z0-9_-]*"'), 'name="csrf_token" value="<CSRF>"'),
]


def normalise(text: str) -> str:
    for rx, rep in VOLATILE:
        text = rx.sub(rep, text)
    return text


def close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isfinite(a) and math.isfinite(b) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9))
    return a == b


def compare_xlsx(a: Path, b: Path) -> list[str]:
    x, y = json.loads(a.read_text()), json.loads(b.read_text())
    out = []
    for sheet in sorted(set(x) | set(y)):
        if sheet not in x or sheet not in y:
            out.append(f"sheet {sheet!r} only in {'after' if sheet in y else 'before'}")
            continue
        if sheet == "_defined_names":
            if x[sheet] != y[sheet]:
                out.append(f"defined names differ: {sorted(set(x[sheet]) ^ set(y[sheet]))[:10]}")
            continue
        for cell in sorted(set(x[sheet]) | set(y[sheet])):
            u, v = x[sheet].get(cell), y[sheet].get(cell)
            if u is None or v is None or not (close(u[0], v[0]) and close(u[1], v[1])):
                out.append(f"{sheet}!{cell}: {u} -> {v}")
    return out


def text_diff(a: str, b: str, name: str, show: int) -> list[str]:
    d = list(difflib.unified_diff(a.splitlines(), b.splitlines(), f"before/{name}", f"after/{name}", n=1, lineterm=""))
    return d[: show] + ([f"... {len(d) - show} more diff lines"] if len(d) > show else [])


def compare(before: Path, after: Path, allow: set[str], show: int) -> int:
    files_a = {str(p.relative_to(before)) for p in before.rglob("*") if p.is_file()}
    files_b = {str(p.relative_to(after)) for p in after.rglob("*") if p.is_file()}
    problems = 0
    for name in sorted(files_a | files_b):
        if name.endswith(".stderr") or name.startswith("inputs/"):
            continue
        if name not in files_a or name not in files_b:
            print(f"DIFF {name}: only in {'after' if name in files_b else 'before'}")
            problems += name not in allow
            continue
        a, b = before / name, after / name
        lines: list[str] = []
        if name == "meta.json":
            ma, mb = json.loads(a.read_text()), json.loads(b.read_text())
            for k in sorted(set(ma) | set(mb)):
                if k.split("/")[0] not in {n.split("/")[0] for n in files_a & files_b}:
                    continue  # a scenario captured on one side only is reported by its files
                u, v = ma.get(k), mb.get(k)
                if isinstance(u, dict) or isinstance(v, dict):
                    pick = lambda m: {f: (m or {}).get(f) for f in ("exit", "status")}  # noqa: E731
                    if pick(u) != pick(v):
                        lines.append(f"{k}: {pick(u)} -> {pick(v)}")
        elif name.endswith(".xlsx.json"):
            lines = compare_xlsx(a, b)[:show]
        elif name.endswith((".json", ".csv")) and "/cli/" in name or "/web/results." in name or "/web/api-" in name:
            if a.read_bytes() != b.read_bytes():
                lines = text_diff(a.read_text(errors="replace"), b.read_text(errors="replace"), name, show)
                lines = lines or ["bytes differ (same lines: line endings or BOM?)"]
        else:
            ta, tb = normalise(a.read_text(errors="replace")), normalise(b.read_text(errors="replace"))
            if ta != tb:
                lines = text_diff(ta, tb, name, show)
        if lines:
            tag = "ALLOWED" if name in allow else "DIFF"
            print(f"{tag} {name}")
            for line in lines:
                print("    " + line[:300])
            problems += name not in allow
        else:
            print(f"same {name}")
    print(f"\n{problems} file(s) differ" if problems else "\nall outputs equal")
    return 1 if problems else 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--allow", nargs="*", default=[], help="files allowed to differ (relative paths)")
    ap.add_argument("--show", type=int, default=40, help="diff lines shown per file")
    args = ap.parse_args()
    return compare(args.before, args.after, set(args.allow), args.show)


if __name__ == "__main__":
    sys.exit(main())
