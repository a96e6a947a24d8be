"""PrairieLearn export: one question folder whose server.py picks a variant and marks like check.

The folder holds info.json, question.html, server.py (derive/prairielearn_server.py, copied
unchanged: the same bytes for every spec) and variants.json, the data it reads. Text from the
spec reaches these files only as JSON strings (json.dumps) or HTML-escaped text, with `{` and `}`
as character references so that PrairieLearn's Mustache pass never sees a tag in it.
"""
from __future__ import annotations

import html
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .lms import Blank, Question

SERVER = Path(__file__).with_name("prairielearn_server.py")
NAMESPACE = uuid.UUID("5d1f0a52-8c7e-5e3c-9b7a-6a1d2e0c4f18")  # derive's: uuid5 names under it are its questions


@dataclass(frozen=True)
class PLVariant:
    """What the question needs of one variant: its number, seed and LMS question."""

    index: int
    seed: int
    question: Question


def answer_key(column: str) -> str:
    """An answers-name for PrairieLearn from a CSV column: grad_kernel[0][1] → grad_kernel_0_1."""
    return re.sub(r"[^A-Za-z0-9]+", "_", column).strip("_")


def question_files(variants: Sequence[PLVariant], title: str, name: str, seed: int, precision: int) -> dict[str, str]:
    """{relative path: text} of the question folder `prairielearn/<name>/`."""
    folder = f"prairielearn/{re.sub(r'[^A-Za-z0-9_-]+', '_', name) or 'derive'}"
    return {
        f"{folder}/info.json": _info(title, name, seed),
        f"{folder}/question.html": _question_html(variants[0].question.blanks, precision),
        f"{folder}/server.py": SERVER.read_text(encoding="utf-8"),
        f"{folder}/variants.json": _variants_json(variants, precision),
    }


def _info(title: str, name: str, seed: int) -> str:
    info = {
        "uuid": str(uuid.uuid5(NAMESPACE, f"{name}:{seed}")),  # the same spec name and --seed: the same question
        "title": title,
        "topic": "CNN backpropagation",
        "tags": ["derive", "convolution", "backpropagation"],
        "type": "v3",
    }
    return json.dumps(info, indent=2, ensure_ascii=False) + "\n"


def _text(value: str) -> str:
    """Spec text as HTML (attribute-safe), with braces as references for the Mustache pass."""
    return html.escape(value, quote=True).replace("{", "&#123;").replace("}", "&#125;")


def _question_html(blanks: Sequence[Blank], precision: int) -> str:
    """The problem sheet (the variant's, from params), then a number input per asked cell."""
    # No comparison attributes: grade() in server.py marks every input with the variant's own tolerances.
    labels = [(answer_key(b.column), _text("\\(" + b.label + "\\) =")) for b in blanks]
    inputs = "\n".join(f'  <pl-number-input answers-name="{key}" label="{label}" size="12"></pl-number-input>'
                        for key, label in labels)
    return (
        "<pl-question-panel>\n"
        "  {{{params.problem_html}}}\n"
        f"  <p>Give every answer to {precision} decimal places (a value below {Decimal(5).scaleb(-precision - 1):f} "
        f"to {precision} significant figures). An answer computed correctly from your own wrong earlier answer "
        "earns partial credit.</p>\n"
        "</pl-question-panel>\n"
        f"{inputs}\n"
    )


def _variants_json(variants: Sequence[PLVariant], precision: int) -> str:
    data: dict[str, Any] = {"derive": __version__, "precision": precision, "variants": []}
    for v in variants:
        answers = []
        for b in v.question.blanks:
            carry = b.carry
            answers.append({
                "key": answer_key(b.column),
                "column": b.column,
                "value": float(b.value),
                "tolerance": f"{b.tolerance:f}",
                "mistakes": [[repr(float(m.value)), m.note] for m in b.mistakes],
                "carry": None if carry is None else {"from": answer_key(carry.source), "offset": str(carry.offset),
                                                     "factor": str(carry.factor)},
            })
        data["variants"].append({"variant": v.index, "seed": v.seed, "problem_html": v.question.html, "answers": answers})
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
