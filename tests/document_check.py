"""Read the numbers back out of a rendered Markdown solution, independently of derive.

`displays(md)` yields (iteration, LaTeX) for every display block; `equations` splits a display
into its equations (an aligned derivation, a table of them, matrices side by side);
`split_equation` splits `lhs = a = b ≈ c`; `evaluate(side)` turns a numeric LaTeX side
(products, sums, fractions, powers, max, e^x, tanh) into a float; `quantity(lhs)` names the
answer field and index an equation's left-hand side stands for.
"""
from __future__ import annotations

import math
import re

import numpy as np

_DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.S | re.M)
_ITERATION = re.compile(r"^## Iteration (\d+)$", re.M)


def displays(markdown: str):
    """(iteration number, LaTeX) for every $$ block; 0 before the first step, -1 after the last."""
    starts = [(m.start(), int(m.group(1))) for m in _ITERATION.finditer(markdown)]
    first_step = markdown.find("Step 1:")
    final = markdown.find("## Final Results")
    for m in _DISPLAY.finditer(markdown):
        number = 1 if first_step != -1 and m.start() > first_step and not starts else 0
        for start, k in starts:
            if m.start() > start:
                number = k
        if final != -1 and m.start() > final:
            number = -1
        yield number, m.group(1)


def equations(latex: str) -> list[str]:
    """The single-line equations of one display: an aligned derivation glued back into one line;
    a table (several `lhs &= …` to a row, `& \\quad` between them, `,\\quad` between the equations
    of one cell) or matrices set side by side (`\\qquad` between them) split into its equations."""
    if not (latex.startswith(r"\begin{aligned}") and latex.endswith(r"\end{aligned}")):
        return [part.strip() for part in latex.split(r" \qquad ")]
    body = latex[len(r"\begin{aligned}") : -len(r"\end{aligned}")]
    body = body.replace(r" \\ &\qquad", "")  # a long sum broken over lines, glued back
    rows: list[str] = []
    for row in body.split(r" \\ "):
        if row.startswith("&"):
            rows[-1] += " " + row[1:]  # the next side of an aligned derivation
        else:
            rows.append(row)
    out = []
    for row in rows:
        for entry in row.split(r" & \quad "):
            out += [part.replace("&", "", 1).strip() for part in entry.split(r",\quad ")]  # the alignment point
    return out


def split_equation(latex: str):
    """lhs, [sides], [relations] of one equation `lhs = a = b ≈ c`."""
    tokens = re.split(r" (=|\\approx) ", latex)
    return tokens[0].strip(), [t.strip() for t in tokens[2::2]], tokens[1::2]


_FRAC = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")


def evaluate(side: str) -> float | None:
    """The value of a side made of numbers only, or None when it holds symbols."""
    s = side
    for old, new in ((r"\left", ""), (r"\right", ""), (r"\bigl", ""), (r"\bigr", ""), (r"\cdot", "*"),
                     ("[", "("), ("]", ")"), (r"\max", "max"), (r"\tanh", "tanh")):
        s = s.replace(old, new)
    s = re.sub(r"\\times 10\^\{(-?\d+)\}", r"*10**(\1)", s)
    s = re.sub(r"e\^\{([^{}]*)\}", r"exp(\1)", s)
    while _FRAC.search(s):
        s = _FRAC.sub(r"((\1)/(\2))", s)
    s = re.sub(r"\^\{(\d+)\}", r"**\1", s)
    s = re.sub(r"([\d)])\s*\(", r"\1*(", s)  # juxtaposition is multiplication
    if re.search(r"[A-Za-z\\_]", re.sub(r"\b(max|exp|tanh)\(", "(", s).replace("**", "")):
        return None
    return float(eval(s, {"__builtins__": {}, "max": lambda *a: max(a), "exp": math.exp, "tanh": math.tanh}))  # noqa: S307


_MATRIX = re.compile(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", re.S)


def matrix(latex: str) -> np.ndarray:
    """The first bmatrix in `latex` as an array."""
    body = _MATRIX.search(latex).group(1)
    return np.array([[evaluate(x) for x in row.split("&")] for row in body.split(r"\\")])


_INDEX = r"(?:\^\{\((?P<lead>[\d,]+)\)\})?(?:_\{(?P<pos>[\d,]+)\})?"
_SYMBOLS = {r"\hat{Y}": "prediction", "Z": "feature_map", "A": "activation", "W'": "kernel_next", "b'": "bias_next",
            "v'": "velocity", "v'^{b}": "velocity_bias", "L": "loss"}
_PARTIALS = {r"\hat{Y}": "grad_output", "Z": "grad_feature_map", "A": "grad_activation", "W": "grad_kernel",
             "b": "grad_bias", "I": "grad_input"}
_NAME = r"(?P<name>\\hat\{Y\}|v'\^\{b\}|[A-Za-z]'?)"
_PLAIN = re.compile(rf"^{_NAME}{_INDEX}$")
_PARTIAL = re.compile(rf"^\\frac\{{\\partial L\}}\{{\\partial {_NAME}{_INDEX}\}}$")
_LOCAL = re.compile(rf"^\\frac\{{\\partial (?:A|\\hat\{{Y\}}){_INDEX}\}}\{{\\partial Z.*\}}$")


def _indices(match: re.Match) -> tuple[int, ...]:
    lead = tuple(int(k) for k in match.group("lead").split(",")) if match.group("lead") else ()
    pos = match.group("pos")
    if pos is None:
        return lead
    return lead + tuple(int(k) for k in (pos.split(",") if "," in pos else pos))


def quantity(lhs: str) -> tuple[str, tuple[int, ...]] | None:
    """The (oracle field, index) that `lhs` names, e.g. ("grad_kernel", (0, 1, 1, 0)); None if none."""
    for pattern, table in ((_PARTIAL, _PARTIALS), (_PLAIN, _SYMBOLS)):
        match = pattern.match(lhs)
        if match and match.group("name") in table:
            return table[match.group("name")], _indices(match)
    match = _LOCAL.match(lhs)
    if match:
        return "activation_grad", _indices(match)
    return None
