"""The one table of a flat problem's answer fields (and the `Field` record the network's table,
network/fields.py, shares): what answers.json holds, what check marks, what variants ask and what
the LMS blanks are made of, all read from FIELDS here."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .problem import Problem

# What a field needs of the problem to exist, each with how an error message says it.
NEEDS: dict[str, tuple[Callable[["Problem"], bool], str]] = {
    "activation": (lambda p: p.activation != "none", "an activation"),
    "bias": (lambda p: p.bias is not None, "a bias"),
    "momentum": (lambda p: p.momentum is not None, "momentum"),
}


@dataclass(frozen=True)
class Field:
    """One answer field. `scope`: per iteration, per layer, or per parameter P of a layer (then
    `name` holds {P}). `symbol` names the notation symbol (with ′ for updated values). A flat field
    also says its `shape` (map: one per filter or channel, kernel: the filters', filter: a number per
    filter, scalar), its `role` (forward, loss, gradient, velocity, update), what the problem `needs`
    for it to exist (NEEDS), the model.Iteration `attribute` that holds it, the Style.names key of
    its symbol (`notation`; a gradient is ∂L/∂ of it) and its `wording` for a problem of several
    maps (`plural`, when it differs: "the updated filters")."""

    name: str
    scope: str
    symbol: str
    wording: str
    upstream: tuple[str, ...]
    read: Callable[..., Any]
    shape: str = ""
    role: str = ""
    needs: tuple[str, ...] = ()
    attribute: str = ""
    notation: str = ""
    plural: str = ""

    def key(self, param: str = "") -> str:
        """The JSON key (for a parameter field, with P filled in)."""
        return self.name.replace("{P}", param)

    def exists(self, problem: "Problem") -> bool:
        """Whether a flat problem has this field (an activation only with one, bias fields only with a bias, …)."""
        return all(NEEDS[need][0](problem) for need in self.needs)

    def absence(self) -> str:
        """Why a problem may lack this field, for an error message ('only with a bias and momentum')."""
        return "only with " + " and ".join(NEEDS[need][1] for need in self.needs) if self.needs else ""


def _flat(name: str, notation: str, symbol: str, wording: str, upstream: tuple[str, ...], shape: str, role: str,
          needs: tuple[str, ...] = (), attribute: str = "", plural: str = "") -> Field:
    attribute = attribute or name
    return Field(name, "iteration", symbol, wording, upstream, attrgetter(attribute), shape, role, needs, attribute,
                 notation, plural)


_FORWARD = ("feature_map", "activation", "prediction")

# In answers.json's order (a contract: autograders may read it by position). `upstream`: the fields of
# the same iteration its value is computed from, which check's follow-through takes from a submission.
FIELDS: tuple[Field, ...] = (
    _flat("feature_map", "Z", "Z", "the feature map (convolution plus bias)", (), "map", "forward",
          plural="the feature maps (convolution plus bias)"),
    _flat("activation", "A", "A", "the activation output", ("feature_map",), "map", "forward", ("activation",)),
    _flat("prediction", "Yhat", "Ŷ", "the prediction the loss compares with the target", ("feature_map", "activation"),
          "map", "forward"),
    _flat("loss", "L", "L", "the loss", _FORWARD, "scalar", "loss"),
    _flat("grad_kernel", "W", "∂L/∂W", "the gradient of the loss with respect to every filter weight", _FORWARD,
          "kernel", "gradient"),
    _flat("grad_input", "I", "∂L/∂I", "the gradient of the loss with respect to the input", _FORWARD, "map",
          "gradient"),
    _flat("velocity", "Vnext", "V′", "the momentum velocity of every weight after the step", ("grad_kernel",),
          "kernel", "velocity", ("momentum",), "velocity_next"),
    _flat("kernel_next", "Wnext", "W′", "the updated filter", ("grad_kernel", "velocity"), "kernel", "update",
          plural="the updated filters"),
    _flat("grad_bias", "b", "∂L/∂b", "the gradient of the loss with respect to the bias", _FORWARD, "filter",
          "gradient", ("bias",)),
    _flat("velocity_bias", "Vbnext", "V_b′", "the momentum velocity of the bias after the step", ("grad_bias",),
          "filter", "velocity", ("bias", "momentum"), "velocity_bias_next"),
    _flat("bias_next", "bnext", "b′", "the updated bias", ("grad_bias", "velocity_bias"), "filter", "update",
          ("bias",)),
    _flat("loss_next", "Lnext", "L′", "the loss with the updated weights", ("kernel_next", "bias_next"), "scalar",
          "loss"),
)
BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def field(name: str) -> Field:
    """The flat answer field called `name` (a KeyError for any other name)."""
    return BY_NAME[name]


def present(problem: "Problem") -> tuple[Field, ...]:
    """The answer fields this flat problem has, in answers.json's order."""
    return tuple(f for f in FIELDS if f.exists(problem))


def named(role: str = "", shape: str = "") -> tuple[str, ...]:
    """The names of the fields with this role and/or shape (e.g. every gradient, every kernel-shaped field)."""
    return tuple(f.name for f in FIELDS if (not role or f.role == role) and (not shape or f.shape == shape))


def last_stage(problem: "Problem") -> str | None:
    """The forward field that is itself the prediction (and is written Ŷ): the feature map of a problem
    without activation or pooling, the activation of one without pooling; None with pooling."""
    if problem.pooling is not None:
        return None
    return "activation" if problem.activation != "none" else "feature_map"


def notation(problem: "Problem", name: str) -> str:
    """The Style.names key of answer field `name`'s symbol in this problem (a last stage is Yhat)."""
    return "Yhat" if name == last_stage(problem) else BY_NAME[name].notation


def symbol(problem: "Problem", name: str) -> str:
    """Answer field `name`'s plain-text symbol in this problem (Z, or Ŷ when the feature map is the prediction)."""
    return BY_NAME["prediction"].symbol if name == last_stage(problem) else BY_NAME[name].symbol


def wording(problem: "Problem", name: str) -> str:
    """What answer field `name` is, in words, in the number this problem has (several maps: plural)."""
    f = BY_NAME[name]
    return f.plural if f.plural and not problem.rank2 else f.wording


def attribute(name: str) -> str:
    """The model.Iteration attribute that holds answer field `name` (velocity → velocity_next)."""
    return BY_NAME[name].attribute


def not_present(f: Field, where: str = "this problem's answers") -> str:
    """The error for a field this problem lacks, saying what it needs ('velocity is not part of …: only with momentum')."""
    why = f.absence()
    return f"{f.name} is not part of {where}" + (f" ({why})" if why else "")
