"""The `derive` command line: bad input gets one line on stderr and exit status 2."""
from __future__ import annotations

import gc
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

from . import __version__

if TYPE_CHECKING:  # the command line imports its modules inside each command, to start fast
    from .derivation import Solved

SPEC_HELP = """\
A problem spec is a YAML or JSON mapping; `derive spec` prints a complete, annotated example of
every key (itself a valid spec: derive spec > problem.yaml).

\b
  input:          the image: 2-D list of rows (H×W), or 3-D (C×H×W, channels first)
  kernel:         the filter: 2-D (kh×kw), or 4-D (F×C×kh×kw) for a 3-D input
  target:         the output's shape: 2-D (oh×ow), or 3-D (F×oh×ow)
  learning_rate:  positive number
  title:          text for the heading
  stride:         int or [rows, cols], default 1
  padding:        int or [rows, cols] of zeros on each side, default 0
  dilation:       int or [rows, cols], spacing of the kernel's taps, default 1
  operation:      cross-correlation (default) or convolution (kernel flipped)
  bias:           a number (2-D) or one per filter (3-D), trained like the weights
  activation:     ⟨activations⟩
  negative_slope: leaky ReLU's slope, default 0.01
  pooling:        none (default) or {type: max|avg, size: k, stride: s}
  loss:           mse (mean, default), sse (sum) or half_sse (half the sum)
  optimizer:      sgd (default) or {type: sgd, momentum: 0.9}; also adam, adamw, rmsprop,
                  adagrad, sgd with nesterov/dampening/weight_decay, with torch.optim's keys,
                  e.g. {type: adam, betas: [0.9, 0.999], eps: 1e-8} (README: Optimizers)
  iterations:     1..100, default 1
  notation:       symbols to rename, e.g. {kernel: K, learning_rate: "\\\\alpha"}
  ask, variants:  homework settings for derive variants
  show:           [grad_input] adds the gradient with respect to the input

Numbers are exact: integers, decimals (0.1 is 1/10; 010 is 10) or fractions in quotes
("1/3"). Names ignore case, dashes, underscores and spaces (MSE, Leaky-ReLU).

A spec with a `layers:` list instead of `kernel:` is a network; `derive spec --layers` prints
one annotated, every layer kind, loss and optimizer key with its default (README: Networks):

\b
  input:          a vector, an H×W matrix, or C×H×W
  layers:         in order, a name (- relu) or {name: options}: conv {kernel, bias, stride,
                  padding, dilation, operation}, dense {weights: out×in (one row per output
                  unit), bias}, maxpool/avgpool {size, stride}, flatten, softmax, and each
                  activation above (leaky_relu {negative_slope}); fixed: [bias] on a layer
                  shows the gradient but does not update it
  target:         the output's shape; with cross_entropy a class index (2) or probabilities
  loss:           mse, sse, half_sse, cross_entropy (after softmax), binary_cross_entropy
  learning_rate, optimizer, iterations, title, notation, show, ask, variants: as above
"""

FILES = {"markdown": "solution.md", "latex": "solution.tex", "json": "answers.json"}
EXTRA_FILES = {"html": "solution.html", "pdf": "solution.pdf"}  # written under -o when asked for
# Everything `derive solve -o` may write: --force removes those of an earlier run that this run does not write.
SOLVE_OUTPUTS = (*FILES.values(), *EXTRA_FILES.values(), "figures")
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


@click.group(help="Write correct, step-by-step worked solutions for CNN filter-learning problems.\n\n"
                  "A spec is a YAML or JSON file with input, kernel, target and learning_rate, and optional keys: "
                  "'derive solve --help' lists them, 'derive spec' prints an annotated example of every one.")
@click.version_option(__version__, prog_name="derive")
def cli() -> None:
    """The `derive` command group."""


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `derive` console script: usage errors too get one line and exit 2."""
    # SIGTERM unwinds like Ctrl-C, so temporary files are removed and no half-written output stays.
    signal.signal(signal.SIGTERM, _terminate)
    # One problem's command (solve, check) is mostly start-up: importing SymPy and Jinja2 makes some
    # 300,000 objects that live as long as the process, and the cyclic garbage collector walked them
    # over and over (about 30 ms of a 0.35 s document) to free some 500 objects of reference cycles.
    # It stays off for such a command; a command that loops over many problems turns it back on.
    collecting = gc.isenabled()
    gc.disable()
    try:
        code = cli.main(args=argv, prog_name="derive", standalone_mode=False)
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:  # plain `derive`: show the help
            click.echo(exc.ctx.get_help())
            sys.exit(0)
        hint = f" (see 'derive {exc.ctx.info_name} --help')" if exc.ctx and exc.ctx.parent else " (see 'derive --help')"
        _fail(exc.format_message() + hint)
    except (click.Abort, KeyboardInterrupt):
        click.echo("error: interrupted; nothing half-written was left behind", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        if collecting:  # as it was, for a caller in the same process; frozen first, or the first
            gc.freeze()  # collection would walk everything made meanwhile (the time saved, spent at exit)
            gc.enable()
    sys.exit(code if isinstance(code, int) else 0)


def _collect_cycles() -> None:
    """Turn the cycle collector back on for a command that works through many problems (variants, mark,
    build): their reference cycles would pile up, and start-up is a small share of their time."""
    gc.enable()


class _SpecHelp(click.Command):
    """A command whose help names the activations, read from the layer modules only when the help
    is shown (they import SymPy, which `derive --help` must not wait for)."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from .activation import listing

        self.help = (self.help or "").replace("⟨activations⟩", listing())
        super().format_help_text(ctx, formatter)


@cli.command(cls=_SpecHelp, short_help="Solve SPEC: the worked solution, or the answer key.",
             help="Solve the problem in SPEC and print the worked solution.\n\n" + SPEC_HELP)
@click.argument("spec", metavar="SPEC")
@click.option("--format", "fmt", type=click.Choice(list(FILES) + list(EXTRA_FILES)), default="markdown", show_default=True,
              help="What to print: the worked solution (markdown, latex, html: one self-contained page with "
                   "MathML, pdf: compiled with pdflatex) or the answer key (json).")
@click.option("-o", "--output", "out_dir", metavar="DIR", default=None,
              help="Write DIR/solution.md, DIR/solution.tex and DIR/answers.json instead of printing "
                   "(and DIR/solution.html or .pdf with --format html or pdf).")
@click.option("--precision", type=click.IntRange(0, 30), default=4, show_default=True,
              help="Decimals for numbers that do not terminate (those are shown with ≈).")
@click.option("--detail", type=click.Choice(["full", "summary"]), default=None,
              help="full: every cell and weight worked out; summary: a few, the rest as matrices. "
                   "Default: full for small problems, summary for big grids.")
@click.option("--fractions", is_flag=True, help="Show exact fractions (1/3) instead of decimals.")
@click.option("--figures", is_flag=True, help="Add figures (heatmaps, the sliding window, the loss curve): "
              "written to DIR/figures/ as PNG and SVG with -o, embedded in html and pdf.")
@click.option("--templates", "templates", metavar="DIR", default=None,
              help="Use the templates in DIR instead of derive's own, by name (document.j2, markdown.j2, …); "
                   "they run sandboxed.")
@click.option("--max-cells", type=click.IntRange(1), default=20_000_000, show_default=True,
              help="Refuse problems needing more multiply-adds than this, before any work.")
@click.option("--force", is_flag=True, help="Write into an existing, non-empty -o DIR, replacing derive's own earlier "
              "outputs there (solution.*, answers.json, figures/); other files are left alone.")
@click.option("--static", is_flag=True, help="With --format html: leave out the page's script (clicking a value to "
              "mark what it was made of, the step navigator): a plain page.")
def solve(spec: str, fmt: str, out_dir: str | None, precision: int, detail: str | None, fractions: bool,
          figures: bool, templates: str | None, max_cells: int, force: bool, static: bool) -> None:
    """`derive solve`: print or write the worked solution."""
    from .errors import SpecError
    from .files import replace_outputs, write_files
    from .pipeline import solve as run

    try:
        if static and fmt != "html":
            raise SpecError(f"--static is for --format html (the only format with a script), not --format {fmt}")
        derivation = run(spec, precision=precision, detail=detail, fractions=fractions, templates=templates,
                         max_cells=max_cells)
        if out_dir is None:
            if fmt == "pdf" and sys.stdout.isatty():
                raise SpecError("a PDF is not for a terminal: redirect it (> solution.pdf) or use -o DIR")
            if figures and fmt in ("markdown", "latex"):
                raise SpecError(f"--figures with --format {fmt} needs -o DIR to write the figure files into")
            _emit(_render(derivation, fmt, figures, static))
            _warn(spec, derivation)
            return
        target = _output_dir(out_dir, force)
        kinds = dict(FILES, **({fmt: EXTRA_FILES[fmt]} if fmt in EXTRA_FILES else {}))
        documents = {name: _render(derivation, kind, figures, static) for kind, name in kinds.items()}
        if figures:
            documents.update(derivation.figures())
        written = replace_outputs(target, documents, SOLVE_OUTPUTS) if force else write_files(target, documents)
        _warn(spec, derivation)
        click.echo("wrote " + ", ".join(map(str, written)), err=True)
    except SpecError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or out_dir}: {exc.strerror}")


def _output_dir(out_dir: str, force: bool) -> Path:
    """The -o folder: new, empty, or overwritten only with --force (nothing is lost by accident)."""
    from .errors import SpecError

    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise SpecError("exists and is not a directory", source=out_dir)
    if target.is_dir() and any(target.iterdir()) and not force:
        raise SpecError("exists and is not empty: use --force to overwrite its files", source=out_dir)
    return target


def _emit(document: str | bytes) -> None:
    if isinstance(document, bytes):
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
    else:
        click.echo(document, nl=False)


@cli.command(short_help="Write seeded homework variants, answer keys, Moodle XML, QTI.",
             help="Write COUNT seeded variants of the problem in SPEC for homework: per variant a problem "
                  "sheet, a worked solution, an answer key and a spec that reproduces it; plus answers.csv, "
                  "index.md, moodle.xml (Moodle cloze), qti.zip (QTI 1.2 for Canvas) and prairielearn/NAME/ "
                  "(a PrairieLearn question); each blank lists the mistakes `derive check` diagnoses.\n\n"
                  "The spec may hold `ask:` (the answer fields students enter; default prediction, loss, "
                  "grad_kernel, kernel_next, and grad_bias, bias_next with a bias) and `variants:` "
                  "(how each of input, kernel, target, bias is drawn: "
                  "{integers: [lo, hi]}, {decimals: d, range: [lo, hi]}, fixed, or for the target "
                  "{from_kernel: rule}; nice: d caps the decimals of every asked answer). Without rules each "
                  "matrix is drawn like the base problem's.")
@click.argument("spec", metavar="SPEC")
@click.option("--count", type=click.IntRange(1, 100000), required=True, help="How many variants.")
@click.option("--seed", type=click.IntRange(0), required=True, help="The run's seed; variant i's seed derives from it and i.")
@click.option("-o", "--output", "out_dir", metavar="DIR", required=True, help="Where to write the variants.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes to use; the files do not depend on it.")
@click.option("--only", type=click.IntRange(1), default=None, help="Regenerate just this variant (1-based); aggregate files are left alone.")
@click.option("--precision", type=click.IntRange(0, 30), default=4, show_default=True,
              help="Decimals for values that do not terminate; also sets the LMS tolerances (half a unit in the last "
              "place plus the rounding that a student rounding every step carries into the answer).")
@click.option("--force", is_flag=True, help="Overwrite an existing, non-empty DIR.")
@click.option("--resume", is_flag=True, help="Keep the variant folders of DIR that are complete and identical to "
              "what this run writes; write the rest.")
def variants(spec: str, count: int, seed: int, out_dir: str, jobs: int, only: int | None, precision: int,
             force: bool, resume: bool) -> None:
    """`derive variants`: homework variants with answer keys and LMS exports."""
    _collect_cycles()
    from .errors import SpecError
    from .homework import Interrupted, make_variants

    try:
        written = make_variants(spec, count, seed, out_dir, jobs=jobs, only=only, precision=precision,
                                progress=_progress, force=force, resume=resume)
        click.echo(f"wrote {len(written)} files under {out_dir}", err=True)
    except SpecError as exc:
        _fail(str(exc))
    except Interrupted as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:
        _fail(f"{exc.filename or out_dir}: {exc.strerror}")


@cli.command(short_help="Mark a SUBMISSION against SPEC: a verdict per cell, a score.",
             help="Mark SUBMISSION (a YAML or JSON file with any answer fields of answers.json, per iteration "
                  "under `iterations:` or, for one iteration, at top level) against the problem in SPEC: a verdict "
                  "per cell (correct, carried, sign, scale, flipped, partial-sum, wrong), a diagnosis per field "
                  "and a score. For a layers: spec, per-layer fields are named layers[J].FIELD "
                  "(layers[2].grad_weights).")
@click.argument("spec", metavar="SPEC")
@click.argument("submission", metavar="SUBMISSION")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True,
              help="A readable report with the correct steps, or {score, fields} as JSON.")
@click.option("--atol", type=click.FloatRange(0), default=None, help="Absolute tolerance, instead of the one "
              "--precision sets.")
@click.option("--rtol", type=click.FloatRange(0), default=None, help="Relative tolerance, added to --atol.")
@click.option("--carried-credit", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Credit for a carried (follow-through) cell; a correct cell earns 1.")
@click.option("--precision", type=click.IntRange(0, 30), default=4, show_default=True,
              help="The sheet's decimals: a value is correct within half a unit in the last of them (±0.00005 at 4; "
                   "values that round to 0 there: to that many significant figures), however it is written. Also the "
                   "decimals shown in the report.")
def check(spec: str, submission: str, fmt: str, atol: float | None, rtol: float | None, carried_credit: float,
          precision: int) -> None:
    """`derive check`: mark a submission."""
    from .answers import dumps
    from .check import Settings
    from .errors import SpecError
    from .pipeline import solve as run
    from .spec import read_spec

    try:
        derivation = run(spec, precision=precision)  # flat or a network: each marks by its own model
        data = read_spec(submission)
        try:
            answers = derivation.read_submission(data)
        except SpecError as exc:
            raise exc.located(submission) from None
        report = derivation.check(answers, Settings(atol, rtol, carried_credit, precision))
    except SpecError as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(dumps(report.to_json()))
    else:
        from .report import report_text  # Jinja2 (and SymPy only for a wrong field's worked steps)

        click.echo(report_text(derivation.check_view(report, spec, submission)), nl=False)


@cli.command(short_help="Mark a class: a responses CSV against a variants folder.",
             help="Mark a class: RESPONSES (a CSV with a `student` column, a `variant` column and answer cells "
                  "named as in answers.csv, e.g. loss, grad_kernel[0][1], layers[2].grad_weights[0][1]; empty cells are unanswered) against HOMEWORK "
                  "(a folder written by `derive variants`). Writes OUT/grades.csv, OUT/feedback/<student>.md and "
                  "OUT/summary.md and .json. Bad rows are reported one line each and skipped; the exit status is then 2.")
@click.argument("homework", metavar="HOMEWORK")
@click.argument("responses", metavar="RESPONSES")
@click.option("-o", "--output", "out_dir", metavar="OUT", required=True, help="Where to write the grades, feedback and summary.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes to use; the files do not depend on it.")
@click.option("--figures", is_flag=True, help="Add OUT/figures/summary.png and .svg: the scores and each field's verdicts.")
@click.option("--atol", type=click.FloatRange(0), default=None, help="Absolute tolerance, as in derive check.")
@click.option("--rtol", type=click.FloatRange(0), default=None, help="Relative tolerance, as in derive check.")
@click.option("--carried-credit", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Credit for a carried (follow-through) cell; a correct cell earns 1.")
@click.option("--precision", type=click.IntRange(0, 30), default=4, show_default=True, help="Decimals shown in the feedback.")
@click.option("--force", is_flag=True, help="Replace an existing, non-empty OUT.")
def mark(homework: str, responses: str, out_dir: str, jobs: int, figures: bool, atol: float | None,
         rtol: float | None, carried_credit: float, precision: int, force: bool) -> None:
    """`derive mark`: every student's row marked, with feedback and a class summary."""
    _collect_cycles()
    from .errors import SpecError
    from .mark import Settings, mark_class

    try:
        outcome = mark_class(homework, responses, out_dir, Settings(atol, rtol, carried_credit, precision, figures),
                             jobs=jobs, force=force)
    except SpecError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or out_dir}: {exc.strerror}")
    for error in outcome.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(f"marked {outcome.marked} student{'s' if outcome.marked != 1 else ''} into {out_dir}"
               + (f"; {len(outcome.errors)} problem{'s' if len(outcome.errors) > 1 else ''} reported"
                  if outcome.errors else ""), err=True)
    if outcome.errors:
        sys.exit(EXIT_BAD_INPUT)


@cli.command(short_help="Build a folder of specs into a published tree, or --check it.",
             help="Build every spec under SPECS_DIR (recursively: *.yaml, *.yml, *.json) into OUT/<relative path "
                  "without extension>/ (solution.md, .tex, .html, answers.json; check.md and check.json for a "
                  "NAME.submission.yaml beside NAME.yaml), with OUT/index.md and index.html. Unchanged problems are "
                  "not rebuilt. With --check, build aside and compare: exit 0 when OUT is up to date, 1 with a diff "
                  "when it is stale, 2 when a spec is bad.")
@click.argument("specs_dir", metavar="SPECS_DIR")
@click.option("-o", "--output", "out_dir", metavar="OUT", required=True, help="The published tree.")
@click.option("--check", "check_only", is_flag=True, help="Compare OUT with a fresh build instead of writing it.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes to use.")
@click.option("--force", is_flag=True, help="Build into a non-empty OUT that derive build did not make.")
def build(specs_dir: str, out_dir: str, check_only: bool, jobs: int, force: bool) -> None:
    """`derive build`: a folder of specs into a published tree, or a snapshot check of it."""
    _collect_cycles()
    from .build import build as run_build, check_tree
    from .errors import SpecError

    try:
        if check_only:
            same, diff, errors = check_tree(specs_dir, out_dir, jobs=jobs)
            for error in errors:
                click.echo(f"error: {error}", err=True)
            if diff:
                click.echo(diff)
            if errors:
                sys.exit(EXIT_BAD_INPUT)
            click.echo(f"{out_dir} is up to date" if same else f"{out_dir} is stale: run derive build {specs_dir} -o {out_dir}",
                       err=True)
            sys.exit(0 if same else 1)
        report = run_build(specs_dir, out_dir, jobs=jobs, force=force, progress=_progress)
    except SpecError as exc:
        _fail(str(exc))
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(f"built {len(report.written)}, kept {len(report.kept)}, removed {len(report.removed)} problems "
               f"under {out_dir}" + (f"; {len(report.errors)} failed" if report.errors else ""), err=True)
    if report.errors:
        sys.exit(EXIT_BAD_INPUT)


@cli.command("spec", short_help="Print an annotated example spec showing every key.",
             help="Print an annotated reference spec: every key with its meaning, its default and the shapes "
                  "for several channels and filters. It is itself a valid spec: derive spec > problem.yaml, "
                  "edit, then derive solve problem.yaml. With --layers, a network (layers:) spec instead: "
                  "every layer kind and its options, every loss, every optimizer with torch.optim's keys and "
                  "defaults, and the homework keys.")
@click.option("--layers", "network", is_flag=True, help="Print the annotated `layers:` (network) spec instead of "
              "the flat one: derive spec --layers > net.yaml.")
def spec_reference(network: bool) -> None:
    """`derive spec`: the annotated reference spec (flat, or a network with --layers) on stdout."""
    from .reference import network_reference_spec, reference_spec

    click.echo(network_reference_spec() if network else reference_spec(), nl=False)


def _progress(items, total: int):
    """A progress bar on a terminal; nothing when stderr is not one (logs, CI, pipes)."""
    from tqdm import tqdm

    return tqdm(items, total=total, desc="variants", unit="variant", disable=not sys.stderr.isatty(), leave=False)


def _render(derivation: Solved, fmt: str, figures: bool = False, static: bool = False) -> str | bytes:
    if fmt == "json":
        return derivation.to_json()
    if fmt == "html":
        return derivation.to_html(figures=figures, interactive=not static)
    methods: dict[str, Callable[..., str | bytes]] = {"latex": derivation.to_latex, "markdown": derivation.to_markdown,
                                                      "pdf": derivation.to_pdf}
    return methods[fmt](figures=figures)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _warn(source: str, derivation: Solved) -> None:
    """One line on stderr per thing a teacher should know (a pooling tie, a rising loss); the exit status stays 0."""
    for message in derivation.warnings():
        click.echo(f"warning: {source}: {message}", err=True)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)
