"""A reader of Moodle's cloze (embedded answers) NUMERICAL syntax, written from Moodle's
documentation rather than from derive's writer, so the tests read the exports as Moodle does:

    {1:NUMERICAL:=1.3:0.0001#feedback~%0%-1.3:0.0001#feedback~...}

answers are separated by `~`; each starts with `=` (100 %) or `%n%`, then `value:tolerance`, then
`#feedback`; `}`, `#`, `~`, `/`, `"` and `\\` inside an answer or a feedback are escaped with a
backslash. Feedback sits in the question's HTML, so it is HTML-unescaped last.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal

SUBQUESTION = re.compile(r"\{(\d*):(?:NUMERICAL|NM):((?:[^}\\]|\\.)*)\}")
UNESCAPED = r"(?<!\\)(?:\\\\)*"  # an even number of backslashes before the separator


@dataclass(frozen=True)
class Answer:
    fraction: int  # percent
    value: Decimal
    tolerance: Decimal
    feedback: str


def _split(text: str, separator: str) -> list[str]:
    parts, start, k = [], 0, 0
    while k < len(text):
        if text[k] == "\\":
            k += 2
            continue
        if text[k] == separator:
            parts.append(text[start:k])
            start = k + 1
        k += 1
    return parts + [text[start:]]


def _unescape(text: str) -> str:
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


def numerical_blanks(text: str) -> list[list[Answer]]:
    """Every NUMERICAL subquestion of a question text, as its list of answers."""
    out = []
    for _weight, body in SUBQUESTION.findall(text):
        answers = []
        for part in _split(body, "~"):
            head, *feedback = _split(part, "#")
            if head.startswith("="):
                fraction, head = 100, head[1:]
            else:
                m = re.fullmatch(r"%(-?\d+(?:\.\d+)?)%(.*)", head, re.DOTALL)
                assert m, f"an answer needs = or %n%: {part!r}"
                fraction, head = int(float(m.group(1))), m.group(2)
            value, _, tolerance = head.partition(":")
            answers.append(Answer(fraction, Decimal(value), Decimal(tolerance or "0"),
                                  _unescape("#".join(feedback))))
        out.append(answers)
    return out
