"""Writing output files: each to a temporary name, then renamed, so no reader sees half a file."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Mapping


def write_files(directory: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write {relative path: text or bytes} under `directory`; return the paths written."""
    mode = 0o666 & ~_umask()  # mkstemp makes 0600 files; a solution is meant to be shared
    written = []
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.chmod(tmp, mode)
            data = content.encode("utf-8") if isinstance(content, str) else content
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(path)
    return written


def replace_folder(folder: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write a folder's files beside it, then rename it into place: the folder is whole or absent."""
    partial = folder.parent / f".{folder.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    write_files(partial, files)
    if folder.exists():
        shutil.rmtree(folder)
    partial.rename(folder)
    return [folder / name for name in files]


def replace_outputs(directory: Path, files: Mapping[str, str | bytes], own: Iterable[str]) -> list[Path]:
    """Write `files` under `directory`, then remove the names in `own` (a tool's earlier outputs)
    that this run did not write; nothing else in `directory` is touched.

    Old files go only after every new one is in place, so a failure on the way leaves them;
    a subfolder (figures/) is replaced whole, so no figure of an earlier run stays inside it.
    """
    folders: dict[str, dict[str, str | bytes]] = {}
    top: dict[str, str | bytes] = {}
    for name, content in files.items():
        head, sep, rest = name.partition("/")
        if sep:
            folders.setdefault(head, {})[rest] = content
        else:
            top[name] = content
    written = [path for folder, inside in folders.items() for path in replace_folder(directory / folder, inside)]
    written += write_files(directory, top)
    for name in set(own) - set(top) - set(folders):
        stale = directory / name
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale)
        elif stale.exists() or stale.is_symlink():
            stale.unlink()
    return written


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
