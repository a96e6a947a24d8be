"""derive's own templates compiled to Python ahead of time: a document skips Jinja2's compiler.

Compiling document.j2 and the markup it imports took about a third of derive's own time for the
seed's Markdown. The compiled modules sit in derive/compiled_templates/ with a manifest of the
Jinja2 version and each template's SHA-256; they are used only while both match, so an edited
template or another Jinja2 is compiled as before (correct, just slower). After editing a template:

    python -m derive.compiled
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import jinja2

COMPILED = Path(__file__).resolve().with_name("compiled_templates")
MANIFEST = "manifest.json"
OPTIONS: dict[str, Any] = dict(  # the one set of options that compiling and rendering share
    undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
)


FILTERS = ("tex", "md", "mathml")  # the filters render.environment adds


def _unused(value: Any, *args: Any) -> Any:
    raise AssertionError("a compile-time stand-in: render.environment supplies the filters")


def template_hashes(folder: Path) -> dict[str, str]:
    """Each template's name and the SHA-256 of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.j2"))}


def compiled_loader(folder: Path) -> jinja2.BaseLoader | None:
    """A loader of the compiled templates when they match `folder`'s templates and this Jinja2, else None."""
    try:
        manifest = json.loads((COMPILED / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("jinja2") != jinja2.__version__ or manifest.get("templates") != template_hashes(folder):
        return None
    return jinja2.ModuleLoader(str(COMPILED))


def compile_templates(folder: Path, target: Path = COMPILED) -> None:
    """Compile every template of `folder` into `target`, with its manifest (replacing what was there)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), **OPTIONS)
    # The compiler only checks that a filter exists; the rendering environment supplies the real ones.
    env.filters.update({name: _unused for name in FILTERS})
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    env.compile_templates(str(target), zip=None, filter_func=lambda name: name.endswith(".j2"), ignore_errors=False)
    manifest = {"jinja2": jinja2.__version__, "templates": template_hashes(folder)}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    from .render import template_dir

    compile_templates(template_dir())
    print(f"compiled {len(template_hashes(template_dir()))} templates into {COMPILED}")
