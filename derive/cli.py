"""The `derive` command line: bad input gets one line on stderr and exit status 2."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from . import __version__

SPEC_HELP = """\
A problem spec is a YAML or JSON mapping:

\b
  input:          2-D list of numbers (the image)
  kernel:         2-D list (the filter)
  target:         2-D list with the output's shape
  learning_rate:  positive number
  title:          optional text
  stride:         int or [rows, cols], default 1
  padding:        int or [rows, cols] of zeros, default 0
  operation:      cross-correlation (default) or convolution (kernel flipped)
  bias:           optional number, trained like the weights
  loss:           mse (mean, default), sse (sum) or half_sse (half the sum)
  iterations:     1..100, default 1

Numbers are exact: integers, decimals (0.1 is 1/10) or fraction strings ("1/3").
"""

FILES = {"markdown": "solution.md", "latex": "solution.tex", "json": "answers.json"}
EXIT_BAD_INPUT = 2


@click.group(help="Write correct, step-by-step worked solutions for CNN filter-learning problems.\n\n" + SPEC_HELP)
@click.version_option(__version__, prog_name="derive")
def cli() -> None:
    """The `derive` command group."""


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `derive` console script: usage errors too get one line and exit 2."""
    try:
        code = cli.main(args=argv, prog_name="derive", standalone_mode=False)
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # plain `derive`: show the help
            click.echo(exc.ctx.get_help())
            sys.exit(0)
        hint = f" (see 'derive {exc.ctx.info_name} --help')" if exc.ctx and exc.ctx.parent else " (see 'derive --help')"
        _fail(exc.format_message() + hint)
    except click.Abort:
        click.echo("error: interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


@cli.command(help="Solve the problem in SPEC and print the worked solution.\n\n" + SPEC_HELP)
@click.argument("spec", metavar="SPEC")
@click.option("--format", "fmt", type=click.Choice(list(FILES)), default="markdown", show_default=True,
              help="What to print: the worked solution (markdown, latex) or the answer key (json).")
@click.option("-o", "--output", "out_dir", metavar="DIR", default=None,
              help="Write DIR/solution.md, DIR/solution.tex and DIR/answers.json instead of printing.")
@click.option("--precision", type=click.IntRange(0, 30), default=4, show_default=True,
              help="Decimals for numbers that do not terminate (those are shown with ≈).")
@click.option("--detail", type=click.Choice(["full", "summary"]), default=None,
              help="full: every cell and weight worked out; summary: a few, the rest as matrices. "
                   "Default: full for small problems, summary for big grids.")
def solve(spec: str, fmt: str, out_dir: str | None, precision: int, detail: str | None) -> None:
    """`derive solve`: print or write the worked solution."""
    from .errors import SpecError
    from .pipeline import solve as run

    try:
        derivation = run(spec, precision=precision, detail=detail)
        if out_dir is None:
            click.echo(_render(derivation, fmt), nl=False)
            return
        target = Path(out_dir)
        if target.exists() and not target.is_dir():
            raise SpecError("exists and is not a directory", source=out_dir)
        documents = {name: _render(derivation, kind) for kind, name in FILES.items()}
        _write_all(target, documents)
        click.echo("wrote " + ", ".join(str(target / name) for name in documents), err=True)
    except SpecError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or out_dir}: {exc.strerror}")


def _render(derivation, fmt: str) -> str:
    if fmt == "json":
        return derivation.to_json()
    return derivation.to_latex() if fmt == "latex" else derivation.to_markdown()


def _write_all(directory: Path, documents: dict[str, str]) -> None:
    """Write each file to a temporary name, then rename: a reader never sees half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
        try:
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a solution is for sharing
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.replace(tmp, directory / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)
