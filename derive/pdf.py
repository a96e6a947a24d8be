"""Compile the LaTeX solution to PDF with pdflatex, in a private temporary directory."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Mapping

from .errors import SpecError

INSTALL_HINT = "install a TeX distribution (on Debian: apt-get install texlive-latex-base)"


def compile_pdf(latex: str, assets: Mapping[str, bytes] | None = None) -> bytes:
    """The PDF of a standalone LaTeX document; `assets` are files it includes (figures)."""
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        raise SpecError(f"pdflatex was not found: {INSTALL_HINT}", field="--format pdf")
    with tempfile.TemporaryDirectory(prefix="derive-pdf-") as tmp:
        folder = Path(tmp)
        for name, data in (assets or {}).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        (folder / "solution.tex").write_text(latex, encoding="utf-8")
        command = [pdflatex, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "solution.tex"]
        run = subprocess.run(command, cwd=folder, capture_output=True, text=True, errors="replace",
                             env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp,
                                  "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"},  # same bytes every run
                             timeout=300)
        if run.returncode != 0 or not (folder / "solution.pdf").exists():
            first_error = next((line for line in run.stdout.splitlines() if line.startswith("!")), "see the LaTeX log")
            raise SpecError(f"pdflatex failed: {first_error.lstrip('! ')}", field="--format pdf")
        return (folder / "solution.pdf").read_bytes()
