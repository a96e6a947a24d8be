"""A built, non-editable wheel carries the templates and works from any directory."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_finds_its_templates(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp_path / "dist", ROOT],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("derive-*.whl")
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, wheel],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr
    assert (site / "derive" / "templates" / "document.j2").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(site))
    run = subprocess.run(
        [sys.executable, "-c",
         "import derive, derive.render as r; print(derive.__file__); print(r.template_dir());"
         "print(derive.solve({'input': [[1, 2], [3, 4]], 'kernel': [[1]], 'target': [[0, 0], [0, 0]],"
         " 'learning_rate': 0.5}).to_markdown()[:40])"],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    module, templates, document = run.stdout.splitlines()[:3]
    assert module.startswith(str(site)) and templates == str(site / "derive" / "templates")
    assert document.startswith("# CNN Filter Learning")
