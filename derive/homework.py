"""`derive variants`: a folder per student variant, the answer key table, and the LMS exports.

Stages: plan the drawing → draw and check each variant (in parallel) → drop duplicates (in
index order, so the result never depends on --jobs) → solve and render each (in parallel) →
write the files, each atomically.
"""
from __future__ import annotations

import csv
import gc
import io
import itertools
import shutil
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from . import __version__
from .answers import dumps, dumps_yaml, normalized_spec
from .errors import SpecError
from .files import replace_folder, write_files
from .parallel import pool
from .lms import Question, blanks, columns, moodle_xml, qti_assessment, qti_zip
from .network.flat import needs_network
from .network.flat_homework import flat_variants, network_homework
from .prairielearn import PLVariant, question_files
from .spec import read_spec
from .variants import Plan, Variant, variant_seed

VARIANT_FILES = ("problem.yaml", "problem.md", "problem.tex", "solution.md", "solution.tex", "answers.json")


@dataclass(frozen=True)
class Rendered:
    """One variant's files, its answer key and its LMS question."""

    variant: Variant
    files: dict[str, str]
    answers: dict[str, Any]
    question: Question
    qti: str  # the variant's QTI assessment, made in the worker (the zip only collects them)


SETTLE_EVERY = 100  # variants between two _settle()s: each then walks only the results kept since the last


class Interrupted(Exception):
    """The run stopped early (Ctrl-C, SIGTERM, a failure): how many variants are complete on disk."""

    def __init__(self, done: int, total: int, reason: str):
        super().__init__(f"{reason}: {done} of {total} variants are complete; run again with --resume to finish")
        self.done, self.total = done, total


def make_variants(spec_path: str, count: int, seed: int, out_dir: str, *, jobs: int = 1, only: int | None = None,
                  precision: int = 4, progress: Callable[[Iterable, int], Iterator] | None = None,
                  force: bool = False, resume: bool = False) -> list[Path]:
    """Write `count` variants of the spec (or only variant `only`) under `out_dir`; return the paths written.

    Each variant folder appears whole or not at all (written aside, then renamed); with `resume`,
    folders already complete and identical to what this run would write are kept.
    """
    try:
        base = flat = read_spec(spec_path)
        if isinstance(base, dict) and "layers" not in base and needs_network(base):  # Adam, RMSprop, …
            base = network_homework(base)  # drawn as the network it means, answered under the flat names
        the_plan = _kit(base).plan(base)
        _check_count(the_plan, count, only, spec_path)
        the_plan = _kit(the_plan).probed(the_plan, seed)  # structural zeros found; unmeetable checks refused
    except SpecError as exc:
        raise exc.located(spec_path) from None
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SpecError("exists and is not a directory", source=out_dir)
    if out.is_dir() and any(out.iterdir()) and not (force or resume or only):
        raise SpecError("exists and is not empty: use --force to overwrite or --resume to finish it", source=out_dir)
    width = max(3, len(str(count)))
    track = progress or (lambda items, total: iter(items))
    written: list[Path] = []
    _preload(base)
    with pool(jobs) as run:
        drawn = list(run(_draw, [(the_plan, seed, i) for i in range(1, (only or count) + 1)]))
        accepted = _distinct(the_plan, seed, drawn, spec_path)
        if base is not flat:
            the_plan, accepted = flat_variants(flat, the_plan, accepted)
        wanted = [accepted[only - 1]] if only else accepted
        done = [v for v in wanted if resume and _complete(out / _folder(v.index, width), v, the_plan.ask)]
        todo = [v for v in wanted if v not in done]
        rendered: dict[int, Rendered] = {}
        try:
            for r in track(run(_settling_render, [(v, the_plan.ask, precision, True, _title(the_plan, spec_path)) for v in todo]), len(todo)):
                written += replace_folder(out / _folder(r.variant.index, width), r.files)
                rendered[r.variant.index] = Rendered(r.variant, {}, r.answers, r.question, r.qti)  # files are on disk
                if len(rendered) % SETTLE_EVERY == 0:
                    _settle()
        except (KeyboardInterrupt, BrokenProcessPool) as exc:
            finished = sum(1 for v in wanted if (out / _folder(v.index, width)).is_dir())
            raise Interrupted(finished, len(wanted), "interrupted" if isinstance(exc, KeyboardInterrupt)
                              else "a worker process died") from None
        finally:
            for partial in out.glob(".variant-*.partial") if out.is_dir() else ():
                shutil.rmtree(partial, ignore_errors=True)
        if not only:
            # The aggregate files need every variant's answers; those kept by --resume are re-solved,
            # without rendering their documents again.
            kept = list(run(_render, [(v, the_plan.ask, precision, False, _title(the_plan, spec_path)) for v in done]))
            rendered.update((r.variant.index, r) for r in kept)
            everything = [rendered[v.index] for v in wanted]
            written += write_files(out, _aggregates(everything, width, the_plan, Path(spec_path).stem, seed, precision))
    return written


def _settle() -> None:
    """Collect the cycles made so far, then freeze what is left: the kept results (every variant's answers and
    question, needed for the aggregate files) hold no cycles, yet each full collection walked all of them again."""
    gc.collect()
    gc.freeze()


def _preload(spec: Any) -> None:
    """Import what solving and rendering a variant needs, then freeze it, before the pool forks its workers.

    Each worker would otherwise import SymPy and Jinja2 itself, and the cycle collector (on for this many
    problems) walked those some 300,000 long-lived objects again and again: about a tenth of the run's CPU time.
    Frozen, a collection walks only what the variants make; forked workers inherit the frozen state."""
    from . import answers, derivation, lms, mistakes, pipeline, printing, tolerance  # noqa: F401

    if isinstance(spec, dict) and "layers" in spec:
        from .network import homework  # noqa: F401
    gc.collect()  # the start-up's few cycles go now, not frozen forever
    gc.freeze()


def _kit(spec_or_plan: Any) -> Any:
    """The module that plans, draws and checks this kind of spec: variants.py, or network/variants.py for `layers:`
    (imported only then: the flat path's drawing stays free of the network's SymPy-built layers)."""
    from . import variants

    if isinstance(spec_or_plan, Plan) or not (isinstance(spec_or_plan, dict) and "layers" in spec_or_plan
                                               or type(spec_or_plan).__name__ == "NetPlan"):
        return variants
    from .network import variants as network_variants

    return network_variants


def _complete(folder: Path, variant: Variant, ask: tuple[str, ...]) -> bool:
    """A kept folder must hold every file, with the very problem.yaml this run would write."""
    if not all((folder / name).is_file() for name in VARIANT_FILES):
        return False
    return (folder / "problem.yaml").read_text(encoding="utf-8") == _problem_yaml(variant, ask)


def _check_count(p: Plan, count: int, only: int | None, source: str) -> None:
    if count < 1:
        raise SpecError(f"--count must be at least 1, got {count}")
    if only is not None and not 1 <= only <= count:
        raise SpecError(f"--only must be between 1 and --count ({count}), got {only}")
    possible = _kit(p).distinct_problems(p)
    if count > possible:
        raise SpecError(f"--count {count} is more than the {possible} distinct problems the variants rules can draw",
                        field="variants", source=source)


def _draw(args: tuple[Plan, int, int]) -> tuple[int, dict[str, Any], int, str | None]:
    p, seed, index = args
    spec, attempts, failure = _kit(p).first_good(p, index, seed)
    return index, spec, attempts, failure


def _distinct(p: Plan, seed: int, drawn: Sequence[tuple], source: str) -> list[Variant]:
    """Variants in index order, each redrawn past any earlier variant it duplicates."""
    seen: set[tuple] = set()
    accepted = []
    for index, spec, attempts, failure in drawn:
        skip = 0
        while failure is None and _kit(p).identity(spec) in seen:
            skip += 1
            spec, attempts, failure = _kit(p).first_good(p, index, seed, skip)
        if failure is not None:
            raise SpecError(f"cannot draw variant {index}: no candidate passed the checks in {attempts} attempts "
                            f"(most often failed: {failure}); {_kit(p).advice(failure, p.nice)}",
                            field="variants", source=source)
        seen.add(_kit(p).identity(spec))
        accepted.append(Variant(index, variant_seed(seed, index), spec, attempts))
    return accepted


def _folder(index: int, width: int) -> str:
    return f"variant-{index:0{width}d}"


def _titled(variant: Variant) -> dict[str, Any]:
    return {**variant.spec, "title": f"{variant.spec.get('title') or 'CNN Filter Learning'} (variant {variant.index})"}


def _problem_yaml(variant: Variant, ask: tuple[str, ...]) -> str:
    """The spec that reproduces a variant, with where it came from."""
    from .problem import build_problem

    if _on_network(variant.spec):
        from .network.homework import problem_yaml

        return problem_yaml(variant.spec, variant.index, variant.seed, ask)
    recorded = {**normalized_spec(build_problem(_titled(variant))), "ask": list(ask),
                "variant": {"index": variant.index, "seed": variant.seed, "derive": __version__}}
    return dumps_yaml(recorded)


def _on_network(spec: dict[str, Any]) -> bool:
    """Whether the network path solves this variant: a `layers:` spec, or a flat one with Adam, RMSprop, …"""
    return "layers" in spec or needs_network(spec)


def _title(p: Plan, spec_path: str) -> str:
    return p.base.get("title") or Path(spec_path).stem


_renders = itertools.count(1)  # variants rendered in this process (a worker's own count)


def _settling_render(args: tuple[Variant, tuple[str, ...], int, bool, str]) -> Rendered:
    """_render, with this process settled (_settle) every SETTLE_EVERY variants: a worker's SymPy caches and
    compiled templates grow as it works, and its full collections walked them again and again."""
    rendered = _render(args)
    if next(_renders) % SETTLE_EVERY == 0:
        _settle()
    return rendered


def _render(args: tuple[Variant, tuple[str, ...], int, bool, str]) -> Rendered:
    """Solve one variant and render its files, or with `documents` false only its answers and
    question (runs in a worker process)."""
    from .answers import answer_key
    from .derivation import Derivation
    from .mistakes import carries, mistakes
    from .pipeline import solve
    from .printing import cell_label
    from .tolerance import as_iterations, tolerances

    variant, ask, precision, documents, quiz_title = args
    if _on_network(variant.spec):
        from .network.homework import render

        return Rendered(variant, *render(variant.spec, variant.index, variant.seed, ask, precision, documents, quiz_title))
    derivation = solve(_titled(variant), precision=precision)
    assert isinstance(derivation, Derivation)  # a layers: spec went to network/homework above
    problem = derivation.problem
    answers = derivation.answers()
    labels = {name: (lambda index, n=name: cell_label(problem, n, index, derivation.style)) for name in ask}
    # The tolerances, laid out by the answer key's own shaping so each lines up with its cell.
    tolerance_key = answer_key(problem, as_iterations(derivation.iterations,
                                                      tolerances(problem, derivation.iterations, precision)))
    question = Question(
        ident=f"variant-{variant.index:04d}",
        name=f"Variant {variant.index}",
        html=derivation.problem_sheet("lms", ask, with_tasks=False),
        blanks=blanks(answers, ask, labels, tolerance_key,
                      [{name: mistakes(problem, it, name) for name in ask} for it in derivation.iterations],
                      [{name: carries(problem, it, name, ask) for name in ask} for it in derivation.iterations]),
        feedback=derivation.to_lms(),  # from the strings already printed for the other documents
    )
    qti = qti_assessment(question, quiz_title)
    if not documents:
        return Rendered(variant, {}, answers, question, qti)
    files = {
        "problem.yaml": _problem_yaml(variant, ask),
        "problem.md": derivation.problem_sheet("markdown", ask),
        "problem.tex": derivation.problem_sheet("latex", ask),
        "solution.md": derivation.to_markdown(),
        "solution.tex": derivation.to_latex(),
        "answers.json": dumps(answers) + "\n",
    }
    return Rendered(variant, files, answers, question, qti)


def _aggregates(rendered: Sequence[Rendered], width: int, p: Plan, name: str, seed: int,
                precision: int) -> dict[str, str | bytes]:
    questions = [r.question for r in rendered]
    title = p.base.get("title") or name
    pl = [PLVariant(r.variant.index, r.variant.seed, r.question) for r in rendered]
    return {
        "answers.csv": _csv(rendered),
        "index.md": _index(rendered, width, title, p.ask),
        "moodle.xml": moodle_xml(questions, category=f"derive/{name}"),
        "qti.zip": qti_zip(questions, [r.qti for r in rendered]),
        **question_files(pl, title, name, seed, precision),
    }


def _csv(rendered: Sequence[Rendered]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    header = [column for column, _ in columns(_columned(rendered[0].answers))]
    writer.writerow(["variant", "seed"] + header)
    for r in rendered:
        writer.writerow([r.variant.index, r.variant.seed] + [repr(float(v)) if isinstance(v, float) else v
                                                             for _, v in columns(_columned(r.answers))])
    return text.getvalue()


def _columned(answers: dict[str, Any]) -> dict[str, Any]:
    """A network's answer key with its layers' fields as columns (`layers[0].grad_weights[0][1]`); a flat
    spec's (Adam, …) with its flat fields only, as a plain flat spec's."""
    if "layers" not in answers["iterations"][0]:
        return answers
    from .network.homework import flat_answers

    return flat_answers(answers)


def _index(rendered: Sequence[Rendered], width: int, title: str, ask: Sequence[str]) -> str:
    lines = [
        f"# {title}: {len(rendered)} variant" + ("" if len(rendered) == 1 else "s"),
        "",
        f"Generated by derive {__version__}. Each folder holds the problem sheet (`problem.md`, `problem.tex`), "
        "the worked solution (`solution.md`, `solution.tex`), the answer key (`answers.json`) and the spec that "
        "reproduces it (`problem.yaml`: `derive solve` on it gives the same solution).",
        "",
        f"Students are asked for: {', '.join(ask)}. All answers: `answers.csv`; LMS imports: `moodle.xml` "
        "(Moodle XML, one cloze question per variant), `qti.zip` (QTI 1.2 for Canvas, one quiz per variant) and "
        f"`prairielearn/` (a PrairieLearn question drawing from every variant).",
        "",
        "| variant | seed | problem | solution | answers | initial loss |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rendered:
        folder = _folder(r.variant.index, width)
        loss = r.answers["iterations"][0]["loss"]
        lines.append(f"| {r.variant.index} | {r.variant.seed} | [problem]({folder}/problem.md) | "
                     f"[solution]({folder}/solution.md) | [answers]({folder}/answers.json) | {loss} |")
    return "\n".join(lines) + "\n"
