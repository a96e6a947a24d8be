"""Read the numbers back out of a rendered Markdown solution, independently of derive.

`equations(md)` yields (iteration, lhs, sides, relations) for every display equation;
`evaluate(side)` turns a numeric LaTeX side (products, sums, fractions, powers) into a float.
"""
from __future__ import annotations

import re

import numpy as np

_DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.S | re.M)
_ITERATION = re.compile(r"^## Iteration (\d+)$", re.M)


def displays(markdown: str):
    """(iteration number, LaTeX) for every $$ block; iteration 0 is before the first iteration."""
    starts = [(m.start(), int(m.group(1))) for m in _ITERATION.finditer(markdown)]
    first_step = markdown.find("## Step 1")
    for m in _DISPLAY.finditer(markdown):
        number = 1 if first_step != -1 and m.start() > first_step and not starts else 0
        for start, k in starts:
            if m.start() > start:
                number = k
        if "## Final Results" in markdown and m.start() > markdown.index("## Final Results"):
            number = -1
        yield number, m.group(1)


def split_equation(latex: str):
    """lhs, [sides], [relations] of `lhs = a = b ≈ c` or an aligned block."""
    body = latex
    if body.startswith(r"\begin{aligned}"):
        body = body[len(r"\begin{aligned}") : -len(r"\end{aligned}")]
        lines = body.split(r" \\ &")
        # Broken long sums continue with "\qquad"; glue them back to their side.
        glued: list[str] = []
        for line in lines:
            if line.startswith(r"\qquad"):
                glued[-1] += line[len(r"\qquad") :]
            else:
                glued.append(line)
        lhs, first = glued[0].split(" &", 1)
        parts = [first] + glued[1:]
        relations, sides = [], []
        for part in parts:
            rel, side = part.strip().split(" ", 1)
            relations.append(rel)
            sides.append(side.strip())
        return lhs.strip(), sides, relations
    tokens = re.split(r" (=|\\approx) ", body)
    return tokens[0], tokens[2::2], tokens[1::2]


_FRAC = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")


def evaluate(side: str) -> float | None:
    """The value of a side made of numbers only, or None when it holds symbols."""
    s = side
    for old, new in ((r"\left", ""), (r"\right", ""), (r"\bigl", ""), (r"\bigr", ""), (r"\cdot", "*"), ("[", "("), ("]", ")")):
        s = s.replace(old, new)
    s = re.sub(r"\\times 10\^\{(-?\d+)\}", r"*10**(\1)", s)
    while _FRAC.search(s):
        s = _FRAC.sub(r"((\1)/(\2))", s)
    s = re.sub(r"\^\{(\d+)\}", r"**\1", s)
    s = re.sub(r"([\d)])\s*\(", r"\1*(", s)  # juxtaposition is multiplication
    if re.search(r"[A-Za-z\\_]", s.replace("**", "")):
        return None
    return float(eval(s, {"__builtins__": {}}))  # noqa: S307 - digits and operators only


_MATRIX = re.compile(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", re.S)


def matrix(latex: str) -> np.ndarray:
    """The first bmatrix in `latex` as an array."""
    body = _MATRIX.search(latex).group(1)
    return np.array([[evaluate(x) for x in row.split("&")] for row in body.split(r"\\")])


def indices(lhs: str) -> tuple[int, ...]:
    """(1, 2) from W_{12}, (10, 3) from W_{10,3}."""
    sub = re.findall(r"_\{([\d,]+)\}", lhs)[-1]
    return tuple(int(p) for p in (sub.split(",") if "," in sub else sub))
