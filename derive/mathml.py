"""LaTeX math to MathML, offline (latex2mathml), for HTML that needs no script and no CDN.

latex2mathml does not lay out `aligned`; derive's long equations use it, so those are split at
their top-level row (\\\\) and column (&) separators and set as an <mtable class="aligned">,
whose columns page.j2 aligns with CSS (Chromium's MathML ignores `columnalign`).
"""
from __future__ import annotations

import re
from functools import lru_cache
from html import unescape

from latex2mathml.converter import convert

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
ALIGNED = (r"\begin{aligned}", r"\end{aligned}")
MINUS = "<mo>&#x02212;</mo>"
PREFIX_MINUS = '<mo form="prefix">&#x02212;</mo>'
# After one of these the minus is a subtraction: `(a) − b`, `[…] − b`, `x′ − b`.
CLOSERS = frozenset(")]}|\u2016\u232a\u27e9\u2309\u230b!\u2032\u2033")
# TeX's ordinary symbols that latex2mathml writes as <mo>: a browser gives `/` and a `∂` in
# mid-row operator spaces, `∂L / ∂W`; TeX sets `∂L/∂W` with none. Likewise a function name
# (`\max`, `\operatorname{rot}`) is set against its parenthesis: `max(0, z)`, not `max (0, z)`.
ORDINARY = {f"<mo>{char}</mo>": f'<mo lspace="0" rspace="0">{char}</mo>' for char in ("&#x0002F;", "&#x02202;")}
_WORD_OPERATOR = re.compile(r"<mo>([A-Za-z]{2,})</mo>")
_MINUS = re.compile(re.escape(MINUS))
_FENCE = re.compile(r'<mo stretchy="true" fence="true" form="(prefix|postfix)">')
_TALL = re.compile(r"<(?:mfrac|mtable|msqrt|mroot|munder|munderover)\b")
_OPENING_TAG = re.compile(r"<[a-z]+(?:\s[^<>]*)?(?<!/)>$")
_PREVIOUS_MO = re.compile(r"<mo(\s[^<>]*)?>([^<]*)</mo>$")
# refs.py marks a value `\class{ref:NAME}{…}`; latex2mathml writes <mrow class="ref:NAME">.
_REF_CLASS = re.compile(r'<mrow class="ref:([^"<>]+)">')


@lru_cache(maxsize=4096)
def to_mathml(latex: str, display: bool = False) -> str:
    """One <math> element for `latex` (block when `display`)."""
    body = latex.strip()
    if body.startswith(ALIGNED[0]) and body.endswith(ALIGNED[1]):
        rows = [_split(row, "&") for row in _split(body[len(ALIGNED[0]) : -len(ALIGNED[1])], r"\\")]
        cells = "".join("<mtr>" + "".join(f"<mtd>{_inner(cell)}</mtd>" for cell in row) + "</mtr>" for row in rows)
        # amsmath's aligned alternates right- and left-aligned columns: `lhs &= rhs & lhs &= rhs`.
        columns = " ".join("left" if i % 2 else "right" for i in range(max(len(row) for row in rows)))
        table = f'<mtable class="aligned" columnalign="{columns}" displaystyle="true">{cells}</mtable>'
        return f'<math xmlns="{MATHML_NS}" display="{"block" if display else "inline"}">{table}</math>'
    return _settle(convert(body, display="block" if display else "inline"))


def _settle(mathml: str) -> str:
    """latex2mathml's output spaced as TeX spaces it: signs, flat fences, `∂L/∂W`, `max(…)`."""
    mathml = carry_refs(unstretch_flat_fences(mark_prefix_minus(mathml)))
    for plain, unspaced in ORDINARY.items():
        mathml = mathml.replace(plain, unspaced)
    return _WORD_OPERATOR.sub(r'<mo lspace="0" rspace="0">\1</mo>', mathml)


def carry_refs(mathml: str) -> str:
    """Turn each value's `ref:NAME` class into `data-ref="NAME"`, the name the page's script reads."""
    return _REF_CLASS.sub(r'<mrow data-ref="\1">', mathml)


def unstretch_flat_fences(mathml: str) -> str:
    """Make `\\left( … \\right)` around one line of symbols `stretchy="false"`, as TeX sets it.

    Chromium draws a stretchy parenthesis around `1.6 − 1` with a glyph twice as wide as the
    plain one, which reads `( 1.6 − 1 )`; TeX's \\left picks the plain size there too. A pair
    around a fraction, a table, a root or a sum with limits stays stretchy.
    """
    tags = list(_FENCE.finditer(mathml))
    flat: list[re.Match[str]] = []
    opened: list[re.Match[str]] = []
    for tag in tags:
        if tag.group(1) == "prefix":
            opened.append(tag)
        elif opened:
            start = opened.pop()
            if not _TALL.search(mathml, start.end(), tag.start()):
                flat += [start, tag]
    if not flat:
        return mathml
    out, last = [], 0
    for tag in sorted(flat, key=lambda m: m.start()):
        out += [mathml[last : tag.start()], tag.group(0).replace('stretchy="true"', 'stretchy="false"')]
        last = tag.end()
    return "".join(out) + mathml[last:]


def mark_prefix_minus(mathml: str) -> str:
    """Mark each sign minus `<mo form="prefix">`, so a browser sets `−0.3` without a binary space.

    latex2mathml writes every `-` as a plain <mo>; a browser infers the form from the position
    in the row, so `(−0.3)` or `= −0.3` get subtraction's spacing. A minus is a sign when it
    opens its row or follows an operator other than a closing fence.
    """
    return _MINUS.sub(lambda m: PREFIX_MINUS if _sign_follows(mathml[max(0, m.start() - 200) : m.start()]) else MINUS,
                      mathml)


def _sign_follows(before: str) -> bool:
    """Whether a minus right after `before` (the markup just before it) is a sign, not a subtraction."""
    if _OPENING_TAG.search(before):
        return True  # the first child of its row (or cell, fraction part, script)
    previous = _PREVIOUS_MO.search(before)
    if previous is None:
        return False  # after an identifier, a number or a group: a subtraction
    return "postfix" not in (previous.group(1) or "") and unescape(previous.group(2)).strip() not in CLOSERS


def _inner(latex: str) -> str:
    """The MathML inside <math>…</math> for a fragment (empty for an empty cell)."""
    if not latex.strip():
        return ""
    text = _settle(convert(latex.strip()))
    return text[text.index(">") + 1 : text.rindex("</math>")]


def _split(latex: str, separator: str) -> list[str]:
    """Split at `separator` where it is not inside braces or a nested environment."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(latex):
        if latex.startswith(r"\begin{", i):
            depth += 1
        elif latex.startswith(r"\end{", i):
            depth -= 1
        char = latex[i]
        if char == "\\" and not latex.startswith(separator, i):
            i += 2  # an escaped character or the start of a command: never a separator
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and latex.startswith(separator, i):
            parts.append(latex[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    parts.append(latex[start:])
    return parts
