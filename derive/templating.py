"""derive's Jinja2 templates: where they are, their compiled cache, the text filters, and rendering one.

Needs neither SymPy nor printing.py: a check report renders with these alone."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from .errors import SpecError

FORMATS = {"markdown": "markdown.j2", "latex": "latex.j2", "html": "page.j2", "lms": "lms.j2"}


def template_dir() -> Path:
    """The templates: inside the installed package, or the checkout's top-level templates/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "document.j2").is_file():
            return candidate
    raise FileNotFoundError(f"derive's templates are missing (looked in {here / 'templates'} and {here.parent / 'templates'})")


OPTIONS: dict[str, Any] = dict(
    undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
)


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's on-disk cache of compiled templates, silent where the folder cannot be written."""

    def dump_bytecode(self, bucket: Any) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a read-only home: the template is compiled again next time (correct, slower)
            pass


def cache_dir() -> Path:
    """Where compiled templates are kept: $DERIVE_CACHE_DIR, else $XDG_CACHE_HOME/derive or ~/.cache/derive."""
    root = os.environ.get("DERIVE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "derive")
    return Path(root) / f"jinja2-{jinja2.__version__}"


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    # Compiling document.j2 and its markup was most of a small document's own time; Jinja2's cache
    # keys each template by its source's checksum (and the Python version), so an edited template is
    # compiled afresh, never taken stale.
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(str(folder))


@lru_cache(maxsize=None)
def environment(user_templates: str | None = None) -> jinja2.Environment:
    """The Jinja2 environment: user templates first when given, and then sandboxed (a user template
    cannot reach Python's internals); undefined variables are an error rather than a silent blank."""
    folder = template_dir()
    builtin = jinja2.FileSystemLoader(str(folder))
    loaders = ([jinja2.FileSystemLoader(user_templates)] if user_templates else []) + [
        builtin,
        jinja2.PrefixLoader({"derive": builtin}),  # "derive/markdown.j2": the original, even when overridden
    ]
    if user_templates:  # only user templates pay for the sandbox's checks (and its import); derive's own are trusted
        from jinja2.sandbox import SandboxedEnvironment

        env: jinja2.Environment = SandboxedEnvironment(loader=jinja2.ChoiceLoader(loaders), **OPTIONS)
    else:
        env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), bytecode_cache=_bytecode_cache(), **OPTIONS)
    env.filters["tex"] = escape_latex
    env.globals["unicode_math"] = UNICODE_MATH
    env.filters["md"] = escape_markdown
    env.filters["mathml"] = _mathml
    env.filters["cell"] = table_cell
    return env


def table_cell(text: str) -> str:
    """Text made safe for a cell of a Markdown table: a `|` in it would end the cell (also in a code span)."""
    return text.replace("|", r"\|")


def _mathml(latex: str, display: bool = False) -> str:
    from .mathml import to_mathml  # only HTML needs latex2mathml

    return to_mathml(latex, display)


def render(strings: dict[str, Any], fmt: str, template: str = "document.j2", figures: Any = None,
           templates: str | None = None, **extra: Any) -> str:
    """A document (the worked solution by default) in `fmt` from the strings of `view`."""
    try:
        return environment(templates).get_template(template).render(strings, markup=FORMATS[fmt], figures=figures, **extra)
    except jinja2.TemplateSyntaxError as exc:
        raise SpecError(f"line {exc.lineno}: {exc.message}", source=exc.filename or exc.name or template) from None
    except jinja2.TemplateError as exc:
        if templates is None:
            raise  # derive's own templates failing is a bug, not bad input: keep the traceback
        raise SpecError(f"{type(exc).__name__}: {exc.message or exc}", field=template,
                        source=f"--templates {templates}") from None


def explorable(page: str, refs: str, templates: str | None = None) -> str:
    """An HTML page with its explorer (explore.j2: marks and step navigator) before </body>;
    `refs` is refs.blob's JSON."""
    script = environment(templates).get_template("explore.j2").render(refs=refs)
    head, body_end, tail = page.rpartition("</body>")
    return head + script + body_end + tail if body_end else page + script


LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


# Symbols that words (a layer's description, a note, an optimizer's slip) share with the formulas, as the
# LaTeX preamble declares them for pdflatex's utf8, which knows none of them (code point, math LaTeX).
UNICODE_MATH = tuple((f"{ord(ch):04X}", tex) for ch, tex in (
    ("α", r"\alpha"), ("β", r"\beta"), ("γ", r"\gamma"), ("δ", r"\delta"), ("ε", r"\varepsilon"),
    ("η", r"\eta"), ("θ", r"\theta"), ("λ", r"\lambda"), ("μ", r"\mu"), ("ρ", r"\rho"), ("σ", r"\sigma"),
    ("τ", r"\tau"), ("∂", r"\partial"), ("−", "-"), ("′", "'"), ("√", r"\surd"), ("≈", r"\approx"), ("≤", r"\le"),
    ("≥", r"\ge"), ("₀", "_0"), ("₁", "_1"), ("₂", "_2"), ("ᵗ", "^t"), ("̃", ""), ("̂", ""),
))


def escape_latex(text: str) -> str:
    """User text made safe for LaTeX body text."""
    return "".join(LATEX_SPECIALS.get(ch, ch) for ch in text)


def escape_markdown(text: str) -> str:
    """User text made safe for a Markdown heading or paragraph."""
    return "".join("\\" + ch if ch in "\\`*_{}[]<>#|$" else ch for ch in text)
