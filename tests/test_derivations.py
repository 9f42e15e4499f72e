"""Every implied or assumed number shows its arithmetic; where the derivation is a formula
('expr = value'), evaluating the formula gives the stored value."""

from __future__ import annotations

import ast
import operator
import re

import pytest

from carescale.library import default_library, iter_quantities

OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
FUNCS = {"min": min, "max": max}


def safe_eval(expr: str) -> float:
    """Arithmetic only: numbers, + - * /, brackets, min() and max()."""

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            return OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCS:
            return FUNCS[node.func.id](*(ev(a) for a in node.args))
        raise ValueError(f"not plain arithmetic: {ast.dump(node)}")

    return ev(ast.parse(expr, mode="eval"))


FORMULA = re.compile(r"^(?P<expr>(?:[0-9\s.+\-*/(),]|min|max)+?)\s*=\s*(?P<result>-?[0-9.]+)$")


def _derived():
    lib = default_library()
    objs = {**{f"interventions/{k}": v for k, v in lib.interventions.items()},
            **{f"areas/{k}": v for k, v in lib.areas.items()}, "overlaps": lib.overlaps}
    for name, obj in objs.items():
        for loc, q in iter_quantities(obj):
            if q.derivation:
                yield f"{name}:{loc}", q


DERIVED = list(_derived())
FORMULAS = [(w, q) for w, q in DERIVED if FORMULA.match(q.derivation)]


def test_there_are_checked_formulas():
    assert len(FORMULAS) >= 12


@pytest.mark.parametrize("where,q", FORMULAS, ids=[w for w, _ in FORMULAS])
def test_formula_gives_the_stored_value(where, q):
    m = FORMULA.match(q.derivation)
    computed = safe_eval(m["expr"])
    assert computed == pytest.approx(float(m["result"]), rel=1e-6), where
    assert q.value == pytest.approx(computed, rel=1e-6), where


def test_implied_rates_are_within_the_rounding_of_the_printed_rate():
    """Where the paper prints a rounded rate and we use the rate its own figures imply, the
    implied rate must round to what is printed (docs/fidelity.md)."""
    lib = default_library()
    ca = lib.intervention("community-agents").segments[0].outcomes[0].rate.value
    kp = lib.intervention("kent-pathways").segments[0].sizing.rate.value
    assert round(ca * 100) == 2  # printed '2%'
    assert round(kp * 100) == 7  # printed '7%'
