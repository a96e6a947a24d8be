"""`derive mark`: a class's answers (a CSV) marked against a `derive variants` folder, with a summary.

Stages: read the variants folder and the responses → per student, the row as a submission →
check's verdicts and report (in processes with --jobs, each variant solved once per process) →
grades.csv, feedback/<student>.md, summary.md and summary.json, all written aside and renamed in.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from .errors import SpecError

if TYPE_CHECKING:
    from .derivation import Solved

STUDENT, VARIANT = "student", "variant"
UNANSWERED = "unanswered"
# A network's per-layer fields carry their layer: layers[2].grad_weights[0][1] is field layers[2].grad_weights.
_COLUMN = re.compile(r"^(?:iteration_(\d+)\.)?((?:layers\[\d+\]\.)?[a-z_]+)((?:\[\d+\])*)$")
_VARIANT_FOLDER = re.compile(r"^variant-(\d+)$")
MAX_NAME = 100  # characters of a feedback file's name


@dataclass(frozen=True)
class Column:
    """An answer column of the responses: `grad_kernel[0][1]` is iteration 1, grad_kernel, cell (0, 1);
    `layers[2].grad_weights[0][1]` is iteration 1, layers[2].grad_weights, cell (0, 1)."""

    name: str
    iteration: int
    field: str
    index: tuple[int, ...]

    @property
    def report_name(self) -> str:
        """The field as check names it (iteration_2.grad_kernel)."""
        return self.field if self.iteration == 1 else f"iteration_{self.iteration}.{self.field}"


@dataclass(frozen=True)
class Response:
    """One student's row: where it is in the file, who, which variant, the filled answer cells, and the
    filled cells that are not numbers (answered, so marked wrong)."""

    row: int  # the spreadsheet's row number: the header is row 1
    student: str
    variant: int
    answers: tuple[tuple[Column, str], ...]
    unreadable: tuple[tuple[Column, str], ...] = ()


@dataclass(frozen=True)
class Marked:
    """One student's marking: the score, each asked field's verdict, the diagnoses, the feedback."""

    response: Response
    score: float
    verdicts: tuple[str, ...]  # one per asked field, in the order of `fields`
    diagnoses: tuple[tuple[str, str, str], ...]  # (field, verdict, note) for each field not correct
    feedback: str


@dataclass(frozen=True)
class Settings:
    """How to mark: check's settings, the decimals of the reports, and whether to draw the summary."""

    atol: float | None = None
    rtol: float | None = None
    carried_credit: float = 0.5
    precision: int = 4
    figures: bool = False


@dataclass(frozen=True)
class Outcome:
    """What a marking run wrote, and the bad rows it reported and skipped."""

    written: tuple[Path, ...]
    errors: tuple[str, ...]
    marked: int


def mark_class(homework: str, responses: str, out_dir: str, settings: Settings = Settings(), *, jobs: int = 1,
               force: bool = False) -> Outcome:
    """Mark every good row of `responses` against its variant in `homework`; write everything to `out_dir`."""
    from .files import replace_folder
    from .model import values
    from .parallel import pool

    variants = variant_specs(homework)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SpecError("exists and is not a directory", source=out_dir)
    if out.is_dir() and any(out.iterdir()) and not force:
        raise SpecError("exists and is not empty: use --force to replace it", source=out_dir)
    reference = str(variants[min(variants)])
    known = {name: None for name in answer_columns(reference, settings.precision)}
    rows, errors, answered = read_responses(responses, known, variants, _derivation(reference, settings.precision).answer_fields(),
                                            _flat_twins(reference, settings.precision))
    # Every asked field has a column, answered or not; a field answered beyond the `ask` is shown too.
    asked = asked_fields(reference, settings.precision)
    fields = tuple(name for name in _field_order(known) if name in asked or name in answered)
    tasks = [(str(variants[r.variant]), r, fields, settings, Path(responses).name) for r in rows]
    with pool(jobs) as run:
        marked = list(run(_mark_row, tasks))
    files = {"grades.csv": grades_csv(marked, fields), **{f"feedback/{safe_name(m.response.student)}.md": m.feedback
                                                         for m in marked}}
    key = answer_key(reference, settings.precision)
    summary = summarize(marked, fields, sum(len(values(key[k - 1][f])) for k, f in map(_split, asked)))
    files["summary.json"] = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    if settings.figures:
        files.update(summary_figure(summary))
    files["summary.md"] = summary_markdown(summary, settings.figures)
    written = replace_folder(out, files)
    return Outcome(tuple(written), tuple(errors), len(marked))


def variant_specs(homework: str) -> dict[int, Path]:
    """Each variant's number and answer key in a `derive variants` output folder."""
    folder = Path(homework)
    if not folder.is_dir():
        raise SpecError("is not a directory (give the folder `derive variants -o` wrote)", source=homework)
    found = {}
    for child in sorted(folder.iterdir()):
        match = _VARIANT_FOLDER.match(child.name)
        if match and (child / "answers.json").is_file():
            found[int(match[1])] = child / "answers.json"
    if not found:
        raise SpecError("holds no variant-NNN/answers.json: give the folder `derive variants -o` wrote", source=homework)
    return found


@lru_cache(maxsize=None)
def _derivation(answers: str, precision: int) -> Solved:
    """A variant solved once per process, with full detail so every report can show the right steps.

    Solved from the normalized spec in its answers.json (exact, and the same problem as problem.yaml):
    JSON reads many times faster than YAML, and a class may have a variant per student."""
    from .errors import SpecError
    from .pipeline import solve
    from .spec import read_spec

    data = read_spec(answers)
    if not isinstance(data, dict) or not isinstance(data.get("problem"), dict):
        raise SpecError("has no `problem`: not an answer key written by derive variants", source=answers)
    try:
        d = solve(data["problem"], precision=precision)
    except SpecError as exc:
        raise exc.located(answers) from None
    return d.for_marking()


@lru_cache(maxsize=None)
def answer_key(answers: str, precision: int) -> list[dict[str, Any]]:
    """A variant's answer key, one {field: value} per iteration, a network's layer fields named
    `layers[J].FIELD` as in answers.csv and check's reports."""
    return _derivation(answers, precision).answer_rows()


@lru_cache(maxsize=None)
def asked_fields(answers: str, precision: int) -> tuple[str, ...]:
    """The fields a variant asks for, every iteration's, named as check names them (iteration_2.loss):
    the `ask` its problem.yaml records; every answer field when it records none."""
    from .spec import read_spec

    key = answer_key(answers, precision)
    problem = Path(answers).with_name("problem.yaml")
    ask = read_spec(str(problem)).get("ask") if problem.is_file() else None
    return tuple(name if k == 1 else f"iteration_{k}.{name}" for k, it in enumerate(key, start=1)
                 for name in it if not isinstance(ask, list) or name in ask)


@lru_cache(maxsize=None)
def counted_cells(answers: str, precision: int) -> dict[str, tuple[bool, ...]]:
    """Per asked field (named as check names it), which of its cells weigh in the score: check's rule, read from
    check's report of the answer key itself (the rule depends on the right values only); every asked cell when
    none would, and every cell of a field no column answers (an optimizer's state)."""
    from .check import Settings as CheckSettings, weighed
    from .model import values

    derivation = _derivation(answers, precision)
    key = answer_key(answers, precision)
    answerable = {parse_column(name).report_name for name in answer_columns(answers, precision)}  # type: ignore[union-attr]
    asked = asked_fields(answers, precision)
    rounds: list[dict[str, Any]] = [{} for _ in key]
    for name in asked:
        k, field = _split(name)
        if name in answerable:
            rounds[k - 1][field] = key[k - 1][field]
    report = derivation.check(derivation.read_submission({"iterations": rounds}), CheckSettings(precision=precision))
    by_name = {f.name: f.counted for f in report.fields}
    sizes = {name: len(values(key[k - 1][field])) for name, (k, field) in zip(asked, map(_split, asked))}
    flat = weighed([c for name in asked for c in by_name.get(name, (True,) * sizes[name])])
    out, at = {}, 0
    for name in asked:
        out[name], at = flat[at : at + sizes[name]], at + sizes[name]
    return out


def answer_columns(spec: str, precision: int) -> list[str]:
    """The answer-cell column names of a variant's answer key, as answers.csv names them."""
    from .lms import columns

    return [name for name, _ in columns({"iterations": answer_key(spec, precision)})]


def parse_column(name: str) -> Column | None:
    """An answer column's parts, or None when the name is not of the form field[i][j]…"""
    match = _COLUMN.match(name)
    if not match:
        return None
    index = tuple(int(i) for i in re.findall(r"\d+", match[3]))
    return Column(name, int(match[1] or 1), match[2], index)


def _read_table(responses: str) -> list[list[str]]:
    path = Path(responses)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # spreadsheets often start UTF-8 with a BOM
    except UnicodeDecodeError:
        raise SpecError("is not UTF-8 text (save the spreadsheet as CSV UTF-8)", source=responses) from None
    except OSError as exc:
        raise SpecError(exc.strerror or "cannot be read", source=responses) from None
    first = text.split("\n", 1)[0]
    # Spreadsheets in locales with decimal commas save with ';' (or tabs): the header tells which.
    delimiter = max(",;\t", key=first.count) if first else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise SpecError(f"not a CSV file: {exc}", source=responses) from None


def _header(responses: str, table: list[list[str]]) -> list[str]:
    if not table:
        raise SpecError("is empty: the first row must name the columns (student, variant, then answer cells)",
                        source=responses)
    header = [cell.strip() for cell in table[0]]
    for required in (STUDENT, VARIANT):
        if header.count(required) != 1:
            raise SpecError(f"the first row must have one `{required}` column", source=responses)
    return header


def read_responses(responses: str, known: dict[str, None], variants: dict[int, Path], fields: Sequence[str] = (),
                   twins: Mapping[str, str] | None = None) -> tuple[list[Response], list[str], tuple[str, ...]]:
    """The good rows; one line per bad row (or unknown column) naming the file, row and problem; and
    the fields the columns ask for, in the answer key's order, named as check names them. `fields`: the
    homework's answer fields (Solved.answer_fields), named when a column is near none of the columns;
    `twins`: a flat spec's network fields by their flat name's (layers[0].kernel_next → kernel_next)."""
    from .literals import parse_number

    table = _read_table(responses)
    header = _header(responses, table)
    errors = []
    usable: dict[int, Column] = {}
    for k, name in enumerate(header):
        if name in (STUDENT, VARIANT):
            continue
        if name in known:
            column = parse_column(name)
            assert column is not None  # every known column is of answers.csv's form
            # A flat spec's network name is marked as the flat field it is, so it counts as the asked one.
            usable[k] = replace(column, field=(twins or {}).get(column.field, column.field))
        else:
            errors.append(f"{responses}: row 1, column {name!r}: {_unknown_column(name, known, fields)}; its cells were not marked")
    s_col, v_col = header.index(STUDENT), header.index(VARIANT)
    rows: list[Response] = []
    files: dict[str, int] = {}
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, as spreadsheets leave at the end
        cells = cells + [""] * (len(header) - len(cells))
        try:
            if len(cells) > len(header):
                raise SpecError(f"{len(cells)} cells, the header names {len(header)}")
            student = " ".join(cells[s_col].split())
            if not student:
                raise SpecError("no student name", field=STUDENT)
            variant = _variant(cells[v_col], variants)
            name = safe_name(student).lower()  # case-blind, as some file systems are
            if name in files:
                raise SpecError(f"{student!r} has the same feedback file as row {files[name]}: "
                                "give every student a distinct name", field=STUDENT)
        except SpecError as exc:
            errors.append(f"{responses}: row {number}, {exc}" if exc.field else f"{responses}: row {number}: {exc}")
            continue
        answers, unreadable = [], []
        for k, column in usable.items():
            text = cells[k].strip()
            if text:
                try:
                    parse_number(text)
                    answers.append((column, text))
                except SpecError as exc:
                    # Reported, and the student still marked: the cell was answered, so it counts as wrong.
                    errors.append(f"{responses}: row {number}, {column.name}: {exc.message}")
                    unreadable.append((column, text))
        files[name] = number
        rows.append(Response(number, student, variant, tuple(answers), tuple(unreadable)))
    answered = {column.report_name for column in usable.values()}
    return rows, errors, tuple(name for name in _field_order(known) if name in answered)


def _flat_twins(answers: str, precision: int) -> dict[str, str]:
    """{network field: flat name} of a flat spec's variant (Adam, … on a flat spec); {} otherwise."""
    from .network.answers import flat_names

    net = getattr(_derivation(answers, precision), "network", None)
    return {field: name for name, field in flat_names(net) if name != field} if net is not None else {}


def _unknown_column(name: str, known: dict[str, None], fields: Sequence[str]) -> str:
    """Why a column is not an answer cell: the likeliest meant column, else which fields there are."""
    import difflib

    near = difflib.get_close_matches(name, list(known), n=1)
    if near:
        return f"unknown answer column (did you mean '{near[0]}'?)"
    column = parse_column(name)
    if column is not None and fields and column.field not in fields:
        return f"unknown answer column: no field {column.field!r} (the fields: {', '.join(fields)})"
    return "unknown answer column (the columns of answers.csv)"


def _field_order(known: Iterable[str]) -> tuple[str, ...]:
    """The fields of the answer columns, in the answer key's order, named as check names them."""
    return tuple(dict.fromkeys(parse_column(name).report_name for name in known))  # type: ignore[union-attr]


def _variant(text: str, variants: dict[int, Path]) -> int:
    text = text.strip()
    if not text.isdigit() or int(text) not in variants:
        have = f"{min(variants)} to {max(variants)}" if len(variants) == max(variants) - min(variants) + 1 else "listed in answers.csv"
        raise SpecError(f"unknown variant {text!r} (the homework has variants {have})", field=VARIANT)
    return int(text)


def safe_name(student: str) -> str:
    """A student's name as a file name: letters, digits, '-', '_' and '.' kept, anything else '_'."""
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in student).strip("._") or "student"
    return name[:MAX_NAME]


def _submission(response: Response, key: list[dict[str, Any]]
                ) -> tuple[dict[str, Any], set[tuple[str, int]], dict[tuple[str, int], str]]:
    """The row as a submission file's mapping, its cells left empty as (field name, flat index), and
    its unreadable cells' texts by (field name, flat index).

    A field is submitted when any of its cells is filled; its empty and unreadable cells carry the
    right value, so check marks them correct; they are then reported as unanswered (earning nothing)
    and wrong.
    """
    filled: dict[tuple[int, str], dict[tuple[int, ...], str | None]] = {}
    for column, text in response.answers:
        filled.setdefault((column.iteration, column.field), {})[column.index] = text
    for column, text in response.unreadable:
        filled.setdefault((column.iteration, column.field), {})[column.index] = None
    unreadable_text = {(c.iteration, c.field, c.index): text for c, text in response.unreadable}
    rounds: list[dict[str, Any]] = [{} for _ in range(max((k for k, _ in filled), default=1))]
    empty: set[tuple[str, int]] = set()
    unreadable: dict[tuple[str, int], str] = {}
    for (k, field), cells in filled.items():
        expected = key[k - 1][field]
        rounds[k - 1][field] = _fill(expected, cells, ())
        name = field if k == 1 else f"iteration_{k}.{field}"
        indices = [index for index, _ in _indexed(expected, ())]
        empty |= {(name, i) for i, index in enumerate(indices) if index not in cells}
        unreadable |= {(name, i): unreadable_text[(k, field, index)] for i, index in enumerate(indices)
                       if (k, field, index) in unreadable_text}
    return ({"iterations": rounds} if len(rounds) > 1 else rounds[0]), empty, unreadable


def _fill(expected: Any, cells: dict[tuple[int, ...], str | None], index: tuple[int, ...]) -> Any:
    if isinstance(expected, list):
        return [_fill(v, cells, index + (k,)) for k, v in enumerate(expected)]
    return cells.get(index) or (repr(expected) if isinstance(expected, float) else str(expected))


def _indexed(tensor: Any, index: tuple[int, ...]) -> list[tuple[tuple[int, ...], Any]]:
    if isinstance(tensor, list):
        return [cell for k, t in enumerate(tensor) for cell in _indexed(t, index + (k,))]
    return [(index, tensor)]


def _mark_row(args: tuple[str, Response, tuple[str, ...], Settings, str]) -> Marked:
    """Mark one student (runs in a worker process with --jobs)."""
    from .check import Report, Settings as CheckSettings, score as check_score
    from .model import values

    spec, response, fields, settings, source = args
    derivation = _derivation(spec, settings.precision)
    key = answer_key(spec, settings.precision)
    data, empty, unreadable = _submission(response, key)
    report = derivation.check(derivation.read_submission(data),
                              CheckSettings(settings.atol, settings.rtol, settings.carried_credit))
    reports = tuple(_as_answered(f, empty, unreadable) for f in report.fields)
    # The score is a share of every asked cell of the variant that counts (check's rule: not a right 0, not an
    # unmoved weight), whether its column was left out or empty.
    counted = counted_cells(spec, settings.precision)
    cells = [(v, c) for f in reports if f.name in counted for v, c in zip(values(f.cells), counted[f.name])]
    total = sum(map(sum, counted.values()))
    score = check_score(cells, settings.carried_credit, total)
    by_name = {f.name: f for f in reports}
    verdicts = tuple(by_name[f].verdict if f in by_name else UNANSWERED for f in fields)
    diagnoses = tuple((f.name, f.verdict, f.note) for f in reports if f.verdict not in ("correct", UNANSWERED))
    feedback = _feedback(Report(score, reports), derivation, response, spec, source,
                         _asked(sum(map(len, counted.values())), total))
    return Marked(response, score, verdicts, diagnoses, feedback)


def _as_answered(report: Any, empty: set[tuple[str, int]], unreadable: dict[tuple[str, int], str]) -> Any:
    """check's report of a field with the student's empty cells unanswered and unreadable ones wrong;
    the field's verdict is check's rule over the answered cells."""
    from .check import _cells_text, _shape, field_verdict  # entries named as check names them
    from .model import values

    cells = _unanswered(report.cells, report.name, empty)
    flat = values(cells) if isinstance(cells, list) else [cells]
    bad = [i for i in range(len(flat)) if (report.name, i) in unreadable]
    for i in bad:
        flat[i] = "wrong"
    notes = [report.note] if report.note else []
    for i in bad:
        where = "" if len(flat) == 1 else f"{_cells_text([i], _shape(report.expected))}: "
        notes.append(f"{where}not a number: {unreadable[(report.name, i)]!r}")
    answered = [v for v in flat if v != UNANSWERED]
    verdict = field_verdict(answered) if answered else UNANSWERED
    shaped = _reshaped(flat, cells)
    # The submitted values as the student gave them: an empty cell is blank, not the right value check was fed.
    submitted = _reshaped([None if v == UNANSWERED else x for v, x in zip(flat, _flat_values(report.submitted))],
                          report.submitted)
    return replace(report, cells=shaped, verdict=verdict, note="; ".join(notes), submitted=submitted)


def _flat_values(value: Any) -> list[Any]:
    return [x for v in value for x in _flat_values(v)] if isinstance(value, list) else [value]


def _reshaped(flat: Sequence[Any], like: Any) -> Any:
    """`flat` nested like `like` (a verdict or a value, or nested lists of them)."""
    position = iter(flat)

    def walk(c: Any) -> Any:
        return [walk(x) for x in c] if isinstance(c, list) else next(position)

    return walk(like)


def _split(name: str) -> tuple[int, str]:
    """check's field name as (iteration, field): iteration_2.loss is (2, "loss")."""
    if not name.startswith("iteration_"):  # a network's layers[2].grad_weights has a '.' of its own
        return 1, name
    prefix, field = name.split(".", 1)
    return int(prefix[len("iteration_"):]), field


def _unanswered(cells: Any, name: str, empty: set[tuple[str, int]]) -> Any:
    """The verdicts with every cell the student left empty marked unanswered."""
    flat_index = itertools.count()  # cells are numbered in the answer key's (row-major) order

    def walk(c: Any) -> Any:
        if isinstance(c, list):
            return [walk(x) for x in c]
        return UNANSWERED if (name, next(flat_index)) in empty else c

    return walk(cells)


def _feedback(report: Any, derivation: Solved, response: Response, spec: str, source: str, asked: str) -> str:
    """check's Markdown report for one student (Jinja2 loads here, once per process; SymPy only for a
    flat report's worked steps of a wrong field)."""
    from .report import report_text

    folder = Path(spec).parent.name
    view = derivation.check_view(report, f"{folder}/problem.yaml", f"{response.student} ({source}, row {response.row})")
    text = report_text(view)
    # check's report scores the submitted cells; here the score is over every asked cell: say which.
    phrase = "of the submitted cells (a carried cell earns partial credit"  # the template's note goes on after it
    if phrase in text:
        return text.replace(phrase, f"of the {asked} (an unanswered one earns nothing, a carried one partial credit", 1)
    # The template reworded: still say which cells the score is over.
    return text.replace("of the submitted cells", f"of the {asked} (an unanswered one earns nothing)", 1)


def _asked(count: int, counted: int | None = None) -> str:
    """'13 asked cells', '1 asked cell'; '5 asked cells that count (of 33 asked)' when check's score rule leaves
    some out (a right value of 0, an unmoved weight)."""
    cells = f"{count} asked cell" + ("" if count == 1 else "s")
    if counted is None or counted == count:
        return cells
    return f"{counted} asked cell{'s that count' if counted != 1 else ' that counts'} (of {count} asked)"


def grades_csv(marked: Sequence[Marked], fields: Sequence[str]) -> str:
    """student, variant, score, then each asked field's verdict; one row per marked student."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([STUDENT, VARIANT, "score", *fields])
    for m in marked:
        writer.writerow([m.response.student, m.response.variant, f"{m.score:.4g}", *m.verdicts])
    return text.getvalue()


def summarize(marked: Sequence[Marked], fields: Sequence[str], asked_cells: int | None = None) -> dict[str, Any]:
    """Per field the verdict counts and the commonest diagnoses; the score distribution (a share of
    `asked_cells` per student, less those check's score rule leaves out)."""
    from .check import VERDICTS

    scores = sorted(m.score for m in marked)
    per_field = {}
    for k, name in enumerate(fields):
        counts = Counter(m.verdicts[k] for m in marked)
        answered = len(marked) - counts[UNANSWERED]
        diagnoses = Counter((verdict, note) for m in marked for f, verdict, note in m.diagnoses if f == name)
        per_field[name] = {
            "answered": answered,
            "verdicts": {v: counts[v] for v in (*VERDICTS, UNANSWERED) if counts[v]},
            "diagnoses": [{"verdict": verdict, "note": note, "students": n}
                          for (verdict, note), n in sorted(diagnoses.items(), key=lambda d: (-d[1], d[0]))],
        }
    return {
        "students": len(marked),
        "asked_cells": asked_cells,
        "mean_score": round(sum(scores) / len(scores), 4) if scores else None,
        "median_score": _median(scores),
        "scores": _histogram(scores),
        "fields": per_field,
    }


def _median(scores: list[float]) -> float | None:
    if not scores:
        return None
    mid = len(scores) // 2
    return scores[mid] if len(scores) % 2 else round((scores[mid - 1] + scores[mid]) / 2, 4)


def _histogram(scores: Iterable[float]) -> dict[str, int]:
    """Students per tenth of the score, and those with everything right on their own."""
    bins = {f"{10 * k}–{10 * k + 10}%": 0 for k in range(10)}
    bins["100%"] = 0
    for score in scores:
        bins["100%" if score >= 1 else f"{10 * int(score * 10)}–{10 * int(score * 10) + 10}%"] += 1
    return bins


def summary_markdown(summary: dict[str, Any], figure: bool) -> str:
    """The class summary as Markdown: scores, each field's verdicts, what the class got wrong."""
    n = summary["students"]
    lines = [f"# Marking summary: {n} student{'s' if n != 1 else ''}", ""]
    if n:
        of = f" of the {_asked(summary['asked_cells'])}" if summary.get("asked_cells") else ""
        lines += [f"Mean score {100 * summary['mean_score']:.1f}%, median {100 * summary['median_score']:.1f}%{of} "
                  "(unanswered cells earn nothing; a right value of 0 and a weight the step leaves unmoved weigh nothing).", ""]
    if figure:
        lines += ["![Score distribution and verdicts per field](figures/summary.png)", ""]
    lines += ["## Scores", "", "| score | students |", "| --- | --- |"]
    lines += [f"| {band} | {count} |" for band, count in summary["scores"].items()]
    columns = [v for v in _verdict_order() if any(v in f["verdicts"] for f in summary["fields"].values())]
    lines += ["", "## Verdicts per field", "", "| field | " + " | ".join(columns) + " |",
              "| --- |" + " --- |" * len(columns)]
    for name, f in summary["fields"].items():
        lines.append(f"| `{name}` | " + " | ".join(str(f["verdicts"].get(v, 0)) for v in columns) + " |")
    lines += ["", "## What the class got wrong", ""]
    wrong = False
    for name, f in summary["fields"].items():
        if not f["diagnoses"]:
            continue
        wrong = True
        lines += [f"### `{name}`", ""]
        for d in f["diagnoses"][:5]:
            note = d["note"] or "no known mistake fits"
            lines.append(f"- {d['students']} of {f['answered']}: {d['verdict']}, {note}")
        if len(f["diagnoses"]) > 5:
            rest = sum(d["students"] for d in f["diagnoses"][5:])
            lines.append(f"- {rest} more with other diagnoses (summary.json lists them all)")
        lines.append("")
    if not wrong:
        lines += ["Nothing: every answer was correct.", ""]
    return "\n".join(lines)


def _verdict_order() -> tuple[str, ...]:
    from .check import VERDICTS

    return (*VERDICTS, UNANSWERED)


def summary_figure(summary: dict[str, Any]) -> dict[str, bytes]:
    """figures/summary.png and .svg: the score distribution and each field's verdicts (matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    colors = {"correct": "#2e7d32", "carried": "#9ccc65", "sign": "#ffb300", "scale": "#fb8c00", "flipped": "#8e24aa",
              "partial-sum": "#1e88e5", "wrong": "#e53935", UNANSWERED: "#bdbdbd"}
    fields = summary["fields"]
    with plt.rc_context({"svg.hashsalt": "derive", "font.size": 9, "figure.dpi": 110}):
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1.4]})
        bands = list(summary["scores"])
        left.bar(range(len(bands)), list(summary["scores"].values()), color="#1e88e5")
        left.set_xticks(range(len(bands)), [b.replace("–", "–\n") for b in bands], fontsize=7)
        left.set_title("Scores")
        left.set_ylabel("students")
        names = list(fields)
        bottom = [0] * len(names)
        for verdict in _verdict_order():
            counts = [fields[name]["verdicts"].get(verdict, 0) for name in names]
            if any(counts):
                right.barh(range(len(names)), counts, left=bottom, color=colors[verdict], label=verdict)
                bottom = [b + c for b, c in zip(bottom, counts)]
        right.set_yticks(range(len(names)), names)
        right.invert_yaxis()
        right.set_xlabel("students")
        right.set_title("Verdicts per field")
        right.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)  # beside the bars, not on them
        fig.tight_layout()
        files = {}
        for fmt in ("png", "svg"):
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, metadata={"Date": None, "Creator": None} if fmt == "svg" else {"Software": None})
            files[f"figures/summary.{fmt}"] = buffer.getvalue()
        plt.close(fig)
    return files
