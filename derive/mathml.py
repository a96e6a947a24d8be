"""LaTeX math to MathML, offline (latex2mathml), for HTML that needs no script and no CDN.

latex2mathml does not lay out `aligned`; derive's long equations use it, so those are split at
their top-level row (\\\\) and column (&) separators and set as an <mtable> here.
"""
from __future__ import annotations

from functools import lru_cache

from latex2mathml.converter import convert

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
ALIGNED = (r"\begin{aligned}", r"\end{aligned}")


@lru_cache(maxsize=4096)
def to_mathml(latex: str, display: bool = False) -> str:
    """One <math> element for `latex` (block when `display`)."""
    body = latex.strip()
    if body.startswith(ALIGNED[0]) and body.endswith(ALIGNED[1]):
        rows = _split(body[len(ALIGNED[0]) : -len(ALIGNED[1])], r"\\")
        cells = "".join(
            "<mtr>" + "".join(f"<mtd>{_inner(cell)}</mtd>" for cell in _split(row, "&")) + "</mtr>" for row in rows
        )
        table = f'<mtable columnalign="right left" displaystyle="true">{cells}</mtable>'
        return f'<math xmlns="{MATHML_NS}" display="{"block" if display else "inline"}">{table}</math>'
    return convert(body, display="block" if display else "inline")


def _inner(latex: str) -> str:
    """The MathML inside <math>…</math> for a fragment (empty for an empty cell)."""
    if not latex.strip():
        return ""
    text = convert(latex.strip())
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
