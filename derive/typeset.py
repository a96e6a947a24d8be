"""How wide a piece of LaTeX math typesets (in ems of the document's font), to break lines where the page ends.

An estimate from Computer Modern's widths, not a typesetter: good to a few per cent on the
equations derive writes, which is what deciding "one line or two" needs. Spaces in the source
count for nothing (TeX ignores them in math); scripts are set smaller and a sub- and
superscript stack; a fraction is as wide as its wider part; a matrix is its columns side by side.
"""
from __future__ import annotations

from functools import lru_cache

SCRIPT = 0.78  # \scriptstyle relative to the text size: 8pt at 11pt, in fonts drawn wider for small sizes
BINARY = 0.78 + 2 * 0.222  # + − · × with a medium space each side
RELATION = 0.78 + 2 * 0.278  # = ≈ ≤ with a thick space each side
UNARY = 0.78  # a sign with nothing to its left: no spaces

# Characters not listed here are letters: lowercase italic ~0.52em, capitals ~0.75em.
CHARS = {**{d: 0.5 for d in "0123456789"}, ".": 0.28, ",": 0.28 + 0.167, ";": 0.28 + 0.167, "(": 0.39, ")": 0.39,
         "[": 0.28, "]": 0.28, "|": 0.28, "/": 0.5, "'": 0.3, ":": 0.28, "!": 0.28, "*": 0.5}
# Capitals of the math italic font, with the italic correction a script after them leaves.
CHARS.update({"W": 1.05, "I": 0.5, "Y": 0.75, "Z": 0.72, "L": 0.68, "A": 0.75, "X": 0.83, "M": 0.97, "V": 0.7,
              "T": 0.7, "K": 0.85, "O": 0.76, "F": 0.7, "S": 0.65, "P": 0.68, "N": 0.85, "H": 0.86, "J": 0.6})
BINARY_CHARS, RELATION_CHARS = "+-*", "=<>"
# Commands by what they typeset as; widths in em.
COMMANDS = {
    "partial": 0.57, "eta": 0.5, "alpha": 0.64, "beta": 0.57, "mu": 0.6, "sigma": 0.57, "delta": 0.45,
    "lambda": 0.58, "gamma": 0.52, "theta": 0.47, "epsilon": 0.41, "varepsilon": 0.47, "rho": 0.52, "tau": 0.44,
    "nabla": 0.83, "infty": 1.0, "ldots": 1.17, "dots": 1.17, "cdots": 1.17, "ell": 0.42,
    "quad": 1.0, "qquad": 2.0, ",": 0.167, ":": 0.222, ";": 0.278, " ": 0.333, "!": -0.167,
    "max": 1.9, "min": 1.6, "tanh": 2.1, "exp": 1.5, "log": 1.3, "sum": 1.44, "prod": 1.28,
    "lbrace": 0.5, "rbrace": 0.5, "{": 0.5, "}": 0.5, "%": 0.83, "&": 0.78, "#": 0.83, "$": 0.5, "_": 0.35,
}
BINARY_COMMANDS = {"times", "pm", "mp", "circ", "star", "ast"}
DOT = 0.28 + 2 * 0.222  # \cdot is a binary operator, but a narrow one
RELATION_COMMANDS = {"approx", "le", "leq", "ge", "geq", "ne", "neq", "to", "in", "equiv", "sim", "mapsto", "gets"}
DELIMITERS = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big"}  # the delimiter after them is counted
INVISIBLE = {"displaystyle", "textstyle", "scriptstyle", "limits", "nolimits", "allowbreak", "nonumber"}
ACCENTS = {"hat", "tilde", "bar", "vec", "widehat", "widetilde", "overline", "mathbf", "mathrm", "mathit", "boldsymbol"}
TEXT = {"text", "operatorname", "textbf", "mathrm", "textrm"}  # upright text: ~0.5em a character
MATRIX_EDGE = 2 * 0.42 + 2 * 0.2  # two brackets and the little space amsmath leaves inside them
MATRIX_GAP = 0.91  # 2\arraycolsep between columns


_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")


def width(latex: str, continues: bool = False) -> float:
    """The width of `latex` (display-style math) in ems; a multi-line text: its widest line.
    With `continues`, it follows an operand, so a leading + or − is spaced as an operation."""
    # Every digit is as wide as any other, so terms that differ only in their numbers and indices
    # (the hundreds of products of a long sum) share one measurement.
    return _width(latex.translate(_DIGITS_AS_ZERO), continues)


@lru_cache(maxsize=65536)
def _width(latex: str, continues: bool) -> float:
    return _Measure(latex).line(1.0, after_operand=continues)


class _Measure:
    """A small recursive reader of the LaTeX that derive writes."""

    def __init__(self, text: str):
        self.text, self.i = text, 0

    def line(self, scale: float, stop: str = "", after_operand: bool = False) -> float:
        """Everything up to `stop` (or the end); a `\\\\` starts another line and the widest counts."""
        widest = total = 0.0  # after_operand: a sign after an operand is binary (spaced), else unary
        while self.i < len(self.text):
            char = self.text[self.i]
            if stop and self.text.startswith(stop, self.i):
                break
            if char == "}" and stop == "}":
                break
            if self.text.startswith("\\\\", self.i):
                self.i += 2
                widest, total, after_operand = max(widest, total), 0.0, False
                if self.text.startswith("[", self.i):  # \\[4pt]
                    self.i = self.text.index("]", self.i) + 1
                continue
            add, operand = self._item(scale, after_operand)
            total += add
            after_operand = operand if operand is not None else after_operand
        return max(widest, total)

    def _item(self, scale: float, after_operand: bool) -> tuple[float, bool | None]:
        """One token's width and whether it ends an operand (None: leaves that as it was)."""
        char = self.text[self.i]
        if char == "\\":
            return self._command(scale, after_operand)
        self.i += 1
        if char in " \t\n&~":
            return 0.0, None
        if char == "{":
            inner = self.line(scale, "}")
            self.i += 1
            return inner + self._scripts(scale), True
        if char in "^_":
            self.i -= 1
            return self._scripts(scale), None
        if char in BINARY_CHARS:
            return (BINARY if after_operand and scale == 1.0 else UNARY) * scale, False
        if char in RELATION_CHARS:
            return (RELATION if scale == 1.0 else 0.78) * scale, False
        base = CHARS.get(char, 0.75 if char.isupper() else 0.52)
        return base * scale + self._scripts(scale), char not in "(["

    def _command(self, scale: float, after_operand: bool) -> tuple[float, bool | None]:
        j = self.i + 1
        while j < len(self.text) and self.text[j].isalpha():
            j += 1
        name = self.text[self.i + 1 : j] if j > self.i + 1 else self.text[self.i + 1 : self.i + 2]
        self.i = j if j > self.i + 1 else self.i + 2
        if name == "frac":
            top, bottom = self._group(scale), self._group(scale)
            return max(top, bottom) + 0.24 * scale, True
        if name == "begin":
            return self._environment(scale), True
        if name in TEXT:
            return len(self._raw_group()) * 0.5 * scale + self._scripts(scale), True
        if name in ACCENTS:
            return self._group(scale) + self._scripts(scale), True
        if name in DELIMITERS:
            self._skip_spaces()
            delimiter = self.text[self.i : self.i + 1]
            self.i += 1
            if delimiter == "\\":  # \left\{ or \right.
                self.i += 1
            return (0.0 if delimiter == "." else 0.5 * scale), name in ("right", "bigr", "Bigr")
        if name in INVISIBLE:
            return 0.0, None
        if name == "cdot":
            return (DOT if after_operand and scale == 1.0 else 0.28) * scale, False
        if name in BINARY_COMMANDS:
            return (BINARY if after_operand and scale == 1.0 else UNARY) * scale, False
        if name in RELATION_COMMANDS:
            return (RELATION if scale == 1.0 else 0.78) * scale, False
        if name in ("sum", "prod"):
            own = COMMANDS[name] * scale
            limits = self._scripts(scale, stacked=True)
            return max(own, limits) + 0.17 * scale, False
        return COMMANDS.get(name, 0.6) * scale + self._scripts(scale), name not in ("quad", "qquad", ",", ";", ":", " ")

    def _scripts(self, scale: float, stacked: bool = False) -> float:
        """Sub- and superscripts right here: set smaller, side by side with nothing, stacked with each other."""
        widths = []
        while self.i < len(self.text) and self.text[self.i] in "^_":
            self.i += 1
            self._skip_spaces()
            if self.text[self.i] == "{":
                widths.append(self._group(scale * SCRIPT))
            elif self.text[self.i] == "\\":
                widths.append(self._command(scale * SCRIPT, False)[0])
            else:
                widths.append(CHARS.get(self.text[self.i], 0.52) * scale * SCRIPT)
                self.i += 1
        if not widths:
            return 0.0
        return max(widths) + (0.0 if stacked else 0.05 * scale)

    def _group(self, scale: float) -> float:
        self._skip_spaces()
        if self.i >= len(self.text):
            return 0.0
        if self.text[self.i] != "{":
            add, _ = self._item(scale, False)
            return add
        self.i += 1
        inner = self.line(scale, "}")
        self.i += 1
        return inner

    def _raw_group(self) -> str:
        self._skip_spaces()
        depth, start = 0, self.i
        for k in range(self.i, len(self.text)):
            depth += {"{": 1, "}": -1}.get(self.text[k], 0)
            if depth == 0:
                self.i = k + 1
                return self.text[start + 1 : k]
        self.i = len(self.text)
        return self.text[start + 1 :]

    def _skip_spaces(self) -> None:
        while self.i < len(self.text) and self.text[self.i] == " ":
            self.i += 1

    def _environment(self, scale: float) -> float:
        """bmatrix, cases, aligned: columns side by side, each as wide as its widest cell."""
        name = self._raw_group()
        end = f"\\end{{{name}}}"
        stop = self.text.find(end, self.i)
        body = self.text[self.i : stop if stop >= 0 else len(self.text)]
        self.i = stop + len(end) if stop >= 0 else len(self.text)
        columns: list[float] = []
        for row in _split_top(body, "\\\\"):
            for k, cell in enumerate(_split_top(row, "&")):
                w = _Measure(cell.strip()).line(scale)
                if k < len(columns):
                    columns[k] = max(columns[k], w)
                else:
                    columns.append(w)
        inner = sum(columns)
        if name in ("bmatrix", "pmatrix", "matrix", "vmatrix"):
            return inner + MATRIX_GAP * scale * max(len(columns) - 1, 0) + MATRIX_EDGE * scale
        if name == "cases":
            return inner + (1.0 + 0.5) * scale
        return inner  # aligned: its column pairs touch at the alignment point


def _split_top(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside braces and nested environments."""
    parts, depth, start, k = [], 0, 0, 0
    while k < len(text):
        if text.startswith("\\begin{", k):
            depth += 1
        elif text.startswith("\\end{", k):
            depth -= 1
        elif text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
        elif depth == 0 and text.startswith(separator, k) and not (separator == "&" and text[k - 1 : k] == "\\"):
            parts.append(text[start:k])
            k += len(separator)
            start = k
            continue
        k += 2 if text[k] == "\\" and separator != "\\\\" and k + 1 < len(text) and not text[k + 1].isalpha() else 1
    parts.append(text[start:])
    return parts
