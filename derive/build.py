"""`derive build`: a folder of specs into a published tree, incrementally, with a snapshot check.

OUT/<spec's relative path without extension>/ gets the files of `derive solve -o` plus the HTML
page (and, for a spec with a `NAME.submission.yaml` beside it, the `derive check` report);
OUT/index.md and OUT/index.html link them all. OUT/.derive-build.json records a hash of each
problem's inputs (spec, submission, templates, derive version), so an unchanged problem is not
rebuilt; `check` rebuilds everything aside and compares.
"""
from __future__ import annotations

import difflib
import hashlib
import html
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import __version__
from .errors import SpecError
from .files import replace_folder, write_files
from .parallel import pool

SUFFIXES = (".yaml", ".yml", ".json")
SUBMISSION = ".submission"  # NAME.submission.yaml beside NAME.yaml is a submission, not a problem
MANIFEST = ".derive-build.json"


@dataclass
class Report:
    """What a build did: problems written, kept, removed, and the ones that failed."""

    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "FILE: message" for the problems built
    files: list[Path] = field(default_factory=list)


def find_specs(root: Path) -> dict[str, Path]:
    """Every spec under `root`, by output key (relative path without extension), in order."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or path.suffix.lower() not in SUFFIXES or any(p.startswith(".") for p in relative.parts):
            continue
        if path.stem.endswith(SUBMISSION):
            continue
        key = relative.with_suffix("").as_posix()
        if key in found:
            raise SpecError(f"gives the same output folder ({key}) as {found[key].relative_to(root)}",
                            source=str(path))
        found[key] = path
    return found


def submission_for(spec: Path) -> Path | None:
    """The submission checked beside a spec (NAME.submission.yaml or .json), if there is one."""
    for suffix in SUFFIXES:
        candidate = spec.with_name(spec.stem + SUBMISSION + suffix)
        if candidate.is_file():
            return candidate
    return None


def hashed_sources() -> list[tuple[str, Path]]:
    """What every problem's output depends on besides its own files: derive's code and templates."""
    from .render import template_dir

    code, templates = Path(__file__).resolve().parent, template_dir()
    # The code too, not only the version: a fix in mathml.py must rebuild output/ without a release.
    return ([(f"code/{p.relative_to(code).as_posix()}", p) for p in sorted(code.rglob("*.py"))]
            + [(f"templates/{p.relative_to(templates).as_posix()}", p) for p in sorted(templates.rglob("*"))
               if p.is_file()])


def _sources_hash() -> str:
    digest = hashlib.sha256(__version__.encode())
    for name, path in hashed_sources():
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def input_hash(spec: Path, base: str) -> str:
    """What a problem's output depends on: its spec and submission bytes, derive's code and templates."""
    digest = hashlib.sha256(base.encode() + spec.read_bytes())
    submission = submission_for(spec)
    if submission is not None:
        digest.update(b"submission" + submission.read_bytes())
    return digest.hexdigest()


def render_problem(args: tuple[str, str, str]) -> tuple[str, dict[str, str] | None, dict[str, str] | None, str | None,
                                                      tuple[str, ...]]:
    """All files of one problem, with its index entry; or the one-line error; and its warnings (runs in a worker)."""
    key, spec_path, root = args
    from .check import Settings
    from .pipeline import solve
    from .report import report_text
    from .spec import read_spec

    display = Path(spec_path).relative_to(root).as_posix()
    try:
        d = solve(spec_path)  # flat or a network: each renders, marks and warns by its own model
        files = {"solution.md": d.to_markdown(), "solution.tex": d.to_latex(), "answers.json": d.to_json(),
                 "solution.html": d.to_html()}
        submission = submission_for(Path(spec_path))
        if submission is not None:
            try:
                report = d.check(d.read_submission(read_spec(submission)), Settings())
            except SpecError as exc:
                raise exc.located(str(submission)) from None
            shown = submission.relative_to(root).as_posix()
            files["check.md"] = report_text(d.check_view(report, display, shown))
            from .answers import dumps

            files["check.json"] = dumps(report.to_json()) + "\n"
    except SpecError as exc:
        # Name files as the bank does (relative to SPECS_DIR), whatever folder the build ran from.
        source = exc.source if exc.source and exc.source != spec_path else display
        if exc.source and exc.source.startswith(root):
            source = Path(exc.source).relative_to(root).as_posix()
        return key, None, None, str(SpecError(exc.message, exc.field, source)), ()
    return key, files, d.index_entry(key), None, tuple(f"{display}: {w}" for w in d.warnings())


def build(specs_dir: str, out_dir: str, *, jobs: int = 1, force: bool = False,
          progress: Callable[[Iterable, int], Iterator] | None = None) -> Report:
    """Build every spec under `specs_dir` into `out_dir`, rebuilding only what changed."""
    root, out = Path(specs_dir), Path(out_dir)
    if not root.is_dir():
        raise SpecError("is not a directory", source=specs_dir)
    if out.exists() and not out.is_dir():
        raise SpecError("exists and is not a directory", source=out_dir)
    old = _read_manifest(out)
    if old is None and out.is_dir() and any(out.iterdir()) and not force:
        raise SpecError("exists, is not empty and was not made by derive build: use --force", source=out_dir)
    specs = find_specs(root)
    base = _sources_hash()
    hashes = {key: input_hash(path, base) for key, path in specs.items()}
    entries = dict((old or {}).get("entries", {}))
    report = Report()
    todo = []
    for key, path in specs.items():
        if old and old["problems"].get(key) == hashes[key] and (out / key / "solution.md").is_file() and key in entries:
            report.kept.append(key)
        else:
            todo.append((key, str(path), str(root)))
    track = progress or (lambda items, total: iter(items))
    done_hashes = {k: v for k, v in (old or {}).get("problems", {}).items() if k in specs and k in report.kept}
    with pool(jobs) as run:
        for key, files, entry, error, warned in track(run(render_problem, todo), len(todo)):
            report.warnings += warned
            if error is not None:
                report.errors.append(error)
                continue
            report.files += replace_folder(out / key, files)
            entries[key] = entry
            done_hashes[key] = hashes[key]
            report.written.append(key)
    for key in sorted(set((old or {}).get("problems", {})) - set(specs)):
        shutil.rmtree(out / key, ignore_errors=True)
        _prune_empty_parents(out / key, out)
        entries.pop(key, None)
        report.removed.append(key)
    entries = {k: v for k, v in entries.items() if k in done_hashes}
    report.files += write_files(out, {
        "index.md": _index_md(entries),
        "index.html": _index_html(entries),
        MANIFEST: json.dumps({"derive": __version__, "problems": done_hashes, "entries": entries}, indent=1,
                             sort_keys=True) + "\n",
    })
    return report


def _prune_empty_parents(path: Path, stop: Path) -> None:
    parent = path.parent
    while parent != stop and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def _read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return manifest if isinstance(manifest.get("problems"), dict) else None
    except (OSError, ValueError):
        return None


def _index_md(entries: dict[str, dict[str, str]]) -> str:
    lines = ["# Worked solutions", "", f"{len(entries)} problems, generated by derive {__version__} "
             "(`derive build`). Each folder holds the solution as Markdown, LaTeX and HTML, and its answer key.", "",
             "| problem | title | sizes | loss |", "| --- | --- | --- | --- |"]
    for key, e in sorted(entries.items()):
        title = e["title"].replace("|", "\\|")
        lines.append(f"| [{key}]({key}/solution.md) | {title} | {e['sizes']} | {e['loss']} |")
    return "\n".join(lines) + "\n"


def _index_html(entries: dict[str, dict[str, str]]) -> str:
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(key)}/solution.html">{html.escape(key)}</a></td><td>{html.escape(e["title"])}</td>'
        f"<td>{html.escape(e['sizes'])}</td><td>{html.escape(e['loss'])}</td></tr>"
        for key, e in sorted(entries.items())
    )
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>Worked solutions</title>\n'
            "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:1rem}"
            "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}"
            "</style>\n</head>\n<body>\n<h1>Worked solutions</h1>\n"
            f"<p>{len(entries)} problems, generated by derive {html.escape(__version__)}.</p>\n"
            "<table>\n<tr><th>problem</th><th>title</th><th>sizes</th><th>loss</th></tr>\n"
            f"{rows}\n</table>\n</body>\n</html>\n")


def check_tree(specs_dir: str, out_dir: str, *, jobs: int = 1) -> tuple[bool, str, list[str]]:
    """Build aside and compare with `out_dir`: (identical?, unified diffs and lists, build errors)."""
    with tempfile.TemporaryDirectory(prefix="derive-build-check-") as tmp:
        fresh = Path(tmp) / "out"
        report = build(specs_dir, str(fresh), jobs=jobs)
        current = Path(out_dir)
        new_files = _tree(fresh)
        old_files = _tree(current) if current.is_dir() else {}
        lines: list[str] = []
        problems_new = {p.split("/solution.md")[0] for p in new_files if p.endswith("/solution.md")}
        problems_old = {p.split("/solution.md")[0] for p in old_files if p.endswith("/solution.md")}
        for key in sorted(problems_new - problems_old):
            lines.append(f"added problem: {key}")
        for key in sorted(problems_old - problems_new):
            lines.append(f"removed problem: {key}")
        for name in sorted(set(new_files) | set(old_files)):
            if name == MANIFEST:
                continue
            before, after = old_files.get(name), new_files.get(name)
            if before == after:
                continue
            if before is None or after is None:
                lines.append(f"{'added' if before is None else 'removed'} file: {name}")
                continue
            lines += _diff(name, before, after)
        return not lines and not report.errors, "\n".join(lines), report.errors


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") and part != MANIFEST for part in p.relative_to(root).parts)}


def _diff(name: str, before: bytes, after: bytes) -> list[str]:
    try:
        old_text, new_text = before.decode("utf-8"), after.decode("utf-8")
    except UnicodeDecodeError:
        return [f"changed file: {name} (binary)"]
    if name.endswith(".html"):
        from .pagetext import page_text

        # A line of MathML is thousands of characters: diff each equation as a line of text instead.
        old_text, new_text = page_text(old_text), page_text(new_text)
        if old_text == new_text:
            return [f"changed file: {name} (MathML markup only: the text of every equation is the same)"]
    diff = difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), f"a/{name}", f"b/{name}", lineterm="", n=2)
    return list(diff)
