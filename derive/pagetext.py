"""An HTML page as text for a readable diff: each <math> as linear text, one line per equation row.

derive's pages put one block element per line, but a line of MathML is thousands of characters;
`derive build --check` diffs this rendering instead, so a changed number shows as one short line.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from xml.etree import ElementTree

_MATH = re.compile(r"<math\b[^>]*>.*?</math>", re.DOTALL)
_DATA_URI = re.compile(r"data:([\w/+.-]+);base64,([A-Za-z0-9+/=]{64,})")
# Operators written with a space each side, as LaTeX spaces relations and binary operators.
_SPACED = frozenset("=≈+−·×÷≤≥<>≠∈±")
_LARGE = frozenset("∑∏∫∮⋃⋂")
_PRIMES = frozenset("\u2032\u2033\u2034")
_ACCENTS = {"^": "\u0302", "~": "\u0303", "\u00af": "\u0304", "\u02d9": "\u0307", "\u2192": "\u20d7"}


def page_text(page: str) -> str:
    """`page` with every <math> replaced by `$linear text$` and every embedded data URI by its hash."""
    page = _DATA_URI.sub(lambda m: f"data:{m.group(1)};sha256,{hashlib.sha256(m.group(2).encode()).hexdigest()[:16]}",
                         page)
    return _MATH.sub(lambda m: _math_text(m.group(0)), page)


def _math_text(mathml: str) -> str:
    """One <math> element as `$…$`; display math as `$$…$$`, an aligned table a line per row."""
    try:
        root = ElementTree.fromstring(mathml)
    except ElementTree.ParseError:
        return mathml  # not XML (a custom template's hand-written math): diffed as it is
    rows = [unicodedata.normalize("NFC", row) for row in _rows(root)]  # Y + combining ^ is Ŷ
    if root.get("display") != "block":
        return "$" + " ".join(rows) + "$"
    return "$$" + "\n".join(rows) + "$$" if len(rows) == 1 else "$$\n" + "\n".join(rows) + "\n$$"


def _rows(root: ElementTree.Element) -> list[str]:
    """The rows of an aligned table (the only child of <math>), or the whole formula as one row."""
    children = list(root)
    while len(children) == 1 and _tag(children[0]) == "mrow":
        children = list(children[0])
    if len(children) == 1 and _tag(children[0]) == "mtable" and "aligned" in children[0].get("class", "").split():
        return [_indent(row) + _squeeze(" ".join(_linear(cell) for cell in row)) for row in children[0]]
    return [_squeeze(_linear(root))]


def _indent(row: ElementTree.Element) -> str:
    """Four spaces for a row whose left-hand side is empty (`= …` under the first row)."""
    return "" if len(row) and _linear(row[0]).strip() else "    "


def _linear(node: ElementTree.Element) -> str:
    """MathML as one line of text: `∂L/∂W_00 = (0.3 · 1) + …`, a matrix as `[1 2; 3 4]`."""
    tag = _tag(node)
    if tag in ("mo", "mi", "mn", "ms", "mtext", "mspace"):
        return _token(tag, node)
    parts = [_linear(kid) for kid in node]
    if tag == "mfrac" and len(parts) == 2:
        return f" {_group(parts[0])}/{_group(parts[1])} "  # spaced: `1/2 (a − b)`, not `1/2(a − b)`
    if tag in ("msub", "munder", "msup", "msubsup", "munderover", "mover") and len(parts) in (2, 3):
        return _scripted(tag, parts)
    if tag == "msqrt":
        return "√(" + "".join(parts) + ")"
    if tag == "mroot" and len(parts) == 2:
        return f"root_{_script(parts[1])}({parts[0]})"
    if tag == "mtable":
        return "; ".join(parts)
    if tag == "mtr":
        return " ".join(_squeeze(part) for part in parts)
    return "".join(parts)


def _token(tag: str, node: ElementTree.Element) -> str:
    """An operator, identifier, number, text or space."""
    if tag == "mtext":
        return node.text or ""  # its spaces are words' spaces: `\text{ for all }`
    if tag == "mspace":
        return " "
    text = (node.text or "").strip()
    if tag == "mo" and text in _SPACED and node.get("form") != "prefix":
        return f" {text} "
    return text + " " if tag == "mo" and text == "," else text


def _scripted(tag: str, parts: list[str]) -> str:
    """A base with sub-, super-, under- or overscripts: `W_00`, `x^2`, `W′_00`, `∑_{i, j}`, `Ŷ`."""
    base = parts[0]
    if tag == "mover" and len(parts) == 2:
        accent = _ACCENTS.get(parts[1])
        return base + accent if accent and len(base) == 1 else f"{base}^{_script(parts[1])}"
    if tag == "msup" and len(parts) == 2:
        return base + _prime_or("^", parts[1])
    # A sum's limits then a space, `∑_{i, j} x`, in inline (msub) and display (munder) math alike.
    space = " " if base in _LARGE else ""
    if tag in ("msub", "munder") and len(parts) == 2:
        return base + "_" + _script(parts[1]) + space
    if tag in ("msubsup", "munderover") and len(parts) == 3:
        if _PRIMES.issuperset(parts[2]):
            return base + parts[2] + "_" + _script(parts[1])  # W′_00, as it is read
        return base + "_" + _script(parts[1]) + "^" + _script(parts[2]) + space
    return "".join(parts)


def _prime_or(mark: str, script: str) -> str:
    """A superscript: a prime as itself (`W′`), anything else after `mark` (`x^2`)."""
    return script if script and _PRIMES.issuperset(script) else mark + _script(script)


def _tag(node: ElementTree.Element) -> str:
    return node.tag.rsplit("}", 1)[-1]


def _group(text: str) -> str:
    """`text` in parentheses when it has an operator in it, so `a/b` stays unambiguous."""
    text = _squeeze(text)
    return f"({text})" if " " in text else text


def _script(text: str) -> str:
    """A sub- or superscript: bare when it is one word (`W_00`), else in braces (`I_{i+u, j+v}`)."""
    text = _squeeze(text)
    return text if text.isalnum() else "{" + text + "}"


def _squeeze(text: str) -> str:
    return " ".join(text.split())
