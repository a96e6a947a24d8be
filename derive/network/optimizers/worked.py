"""The SymPy of the adaptive optimizers' worked lines: their symbols and unevaluated builders.

Imported only when a document shows the lines (Work.algebra), so an answer key or a check steps
Adam, RMSprop, … without SymPy."""
from __future__ import annotations

from sympy import Add, Derivative, Expr, Integer, Pow, Symbol

from ..algebra import ETA, MU, Bracket, Frac, L, Sqrt, minus, relabel, sym, times, v

EPS, LAMBDA = Symbol(r"\epsilon"), Symbol(r"\lambda")
B1, B2, T = Symbol(r"\beta_{1}"), Symbol(r"\beta_{2}"), Symbol("t")  # Adam's
RHO = Symbol(r"\rho")  # RMSprop's smoothing constant (the spec's alpha; α is leaky ReLU's slope)
DELTA, ETA_T = Symbol(r"\delta"), Symbol(r"\eta_{t}")  # Adagrad's
DAMP = Symbol(r"\tau")  # SGD's dampening


def plus(*terms: Expr) -> Expr:
    """A sum kept in the order written."""
    return Add(*terms, evaluate=False)


def square(e: Expr) -> Expr:
    """e², unevaluated (a derivative bracketed: (∂L/∂W)²)."""
    return Pow(Bracket(e) if isinstance(e, Derivative) else e, Integer(2), evaluate=False)


def gradient(own: Expr) -> Expr:
    """∂L/∂θ for the parameter value `own`."""
    return Derivative(L, own)


__all__ = ["B1", "B2", "DAMP", "DELTA", "EPS", "ETA", "ETA_T", "Frac", "Integer", "LAMBDA", "MU", "Pow", "RHO",
           "Sqrt", "Symbol", "T", "gradient", "minus", "plus", "relabel", "square", "sym", "times", "v"]
