"""Turn a Derivation into strings (via printing.py) and render them with Jinja2 templates."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from . import printing as pr
from .model import LOSSES
from .problem import Problem, shape

if TYPE_CHECKING:
    from .derivation import Derivation
    from .steps import IterationWork

FORMATS = {"markdown": "markdown.j2", "latex": "latex.j2"}
OPERATION_VERBS = {"cross-correlation": "cross-correlated", "convolution": "convolved"}
DEFAULT_TITLE = "CNN Filter Learning"


def template_dir() -> Path:
    """The templates: inside the installed package, or the checkout's top-level templates/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "document.j2").is_file():
            return candidate
    raise FileNotFoundError(f"derive's templates are missing (looked in {here / 'templates'} and {here.parent / 'templates'})")


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """The Jinja2 environment; undefined variables are errors, never silent blanks."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir()),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tex"] = pr.escape_latex
    env.filters["md"] = pr.escape_markdown
    return env


def render(derivation: "Derivation", fmt: str) -> str:
    """The whole document in `fmt` ("markdown" or "latex")."""
    return environment().get_template("document.j2").render(view(derivation), markup=FORMATS[fmt])


def view(d: "Derivation") -> dict[str, Any]:
    """Everything the templates show, as strings and lists of strings."""
    p, prec = d.problem, d.precision
    return {
        "title": p.title or DEFAULT_TITLE,
        "detail": d.detail,
        "statement": _statement(p, prec),
        "given": _given(p, prec),
        "iterations": [_iteration(p, it, prec) for it in d.iterations],
        "final": _final(d),
    }


def _statement(p: Problem, prec: int) -> dict[str, Any]:
    formulas = pr.tap_formula(p.stride, p.padding, shape(p.kernel), p.operation)
    n = len(p.target) * len(p.target[0])
    return {
        "input": pr.size(shape(p.input)),
        "kernel": pr.size(shape(p.kernel)),
        "output": pr.size(p.output_shape),
        "padded": pr.size(p.padded_shape),
        "verb": OPERATION_VERBS[p.operation],
        "operation": p.operation,
        "stride": _pair_text(p.stride),
        "padding": _pair_text(p.padding) if any(p.padding) else None,
        "bias": p.bias is not None,
        "loss": p.loss,
        "loss_name": LOSSES[p.loss].name,
        "loss_formula": pr.LOSS_FORMULAS[p.loss],
        "n": str(n),
        "learning_rate": pr.inline(p.learning_rate, prec),
        "iterations": p.iterations,
        "forward": formulas["forward"] + (" + b" if p.bias is not None else ""),
        "local": formulas["local"],
        "grad_input": formulas["grad_input"],
        "chain_rule": pr.CHAIN_RULE,
        "loss_gradient": pr.LOSS_GRADIENTS[p.loss],
        "bias_gradient": pr.BIAS_GRADIENT,
        "update_rule": pr.UPDATE_RULE,
        "bias_update_rule": pr.BIAS_UPDATE_RULE,
        "grad_output_symbol": pr.GRAD_OUTPUT_SYMBOL,
    }


def _pair_text(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def _given(p: Problem, prec: int) -> list[dict[str, str]]:
    items = [
        {"label": "Input image", "size": pr.size(shape(p.input)), "math": pr.named_matrix("I", p.input, prec)},
        {"label": "Initial filter", "size": pr.size(shape(p.kernel)), "math": pr.named_matrix("W", p.kernel, prec)},
        {"label": "Target output", "size": pr.size(shape(p.target)), "math": pr.named_matrix("Y", p.target, prec)},
    ]
    if p.bias is not None:
        items.append({"label": "Initial bias", "size": None, "math": pr.scalar("b", p.bias, prec)})
    items.append({"label": "Learning rate", "size": None, "math": pr.scalar(r"\eta", p.learning_rate, prec)})
    return items


def _iteration(p: Problem, w: "IterationWork", prec: int) -> dict[str, Any]:
    it = w.values
    eq = lambda e: pr.equation(e, prec)  # noqa: E731 - a local shorthand
    return {
        "number": w.number,
        "padded_input": pr.named_matrix(pr.NOTATION["X"], it.padded_input, prec) if any(p.padding) else None,
        "kernel": pr.named_matrix("W", it.kernel, prec),
        "flipped_kernel": pr.named_matrix(pr.FLIPPED, _rotated(it.kernel), prec) if p.operation == "convolution" else None,
        "bias": pr.scalar("b", it.bias, prec) if it.bias is not None else None,
        "cells": [
            {"index": f"({c.index[0]}, {c.index[1]})", "window": pr.matrix(c.window, prec)[0], "equation": eq(c.equation)}
            for c in w.cells
        ],
        "cells_shown": len(w.cells),
        "cells_total": len(it.feature_map) * len(it.feature_map[0]),
        "weights_shown": len(w.grad_kernel),
        "weights_total": len(it.kernel) * len(it.kernel[0]),
        "feature_map": pr.named_matrix(r"\hat{Y}", it.feature_map, prec),
        "residuals": pr.named_matrix(r"Y - \hat{Y}", _residuals(p, it.feature_map), prec),
        "loss": eq(w.loss),
        "grad_output": [eq(e) for e in w.grad_output],
        "grad_output_matrix": pr.named_matrix(r"\frac{\partial L}{\partial \hat{Y}}", it.grad_output, prec),
        "grad_kernel": [eq(e) for e in w.grad_kernel],
        "grad_kernel_matrix": pr.named_matrix(r"\frac{\partial L}{\partial W}", it.grad_kernel, prec),
        "grad_bias": eq(w.grad_bias) if w.grad_bias is not None else None,
        "grad_input": [eq(e) for e in w.grad_input],
        "grad_input_matrix": pr.named_matrix(r"\frac{\partial L}{\partial I}", it.grad_input, prec),
        "updates": [eq(e) for e in w.updates],
        "bias_update": eq(w.bias_update) if w.bias_update is not None else None,
        "kernel_next": pr.named_matrix("W'", it.kernel_next, prec),
        "bias_next": pr.scalar("b'", it.bias_next, prec) if it.bias_next is not None else None,
        "loss_value": pr.scalar("L", it.loss, prec),
        "loss_next": pr.scalar("L'", it.loss_next, prec),
    }


def _rotated(matrix: tuple) -> tuple:
    return tuple(tuple(reversed(row)) for row in reversed(matrix))


def _residuals(p: Problem, prediction) -> tuple:
    return tuple(tuple(y - yh for y, yh in zip(ry, ryh)) for ry, ryh in zip(p.target, prediction))


def _final(d: "Derivation") -> dict[str, Any]:
    prec, its = d.precision, [w.values for w in d.iterations]
    first, last = its[0], its[-1]
    return {
        "loss_initial": pr.scalar("L", first.loss, prec),
        "loss_final": pr.scalar("L_{\\text{new}}", last.loss_next, prec),
        "kernel": pr.named_matrix("W_{\\text{new}}", last.kernel_next, prec),
        "bias": pr.scalar("b_{\\text{new}}", last.bias_next, prec) if last.bias_next is not None else None,
        "first_loss": pr.inline(first.loss, prec),
        "last_loss": pr.inline(last.loss_next, prec),
        "losses": [
            {"line": f"${k + 1}$: ${pr.inline(it.loss, prec)} \\to {pr.inline(it.loss_next, prec)}$"}
            for k, it in enumerate(its)
        ],
        "fell": last.loss_next < first.loss,
        "iterations": len(its),
    }
