"""Layer kinds, one module each: every module of this package that defines LAYER is a kind,
named by its `kind` (so adding an activation is adding one module).

A spec's kind is found by loading the module named as it alone (`kind`); the whole registry
(`kinds`) is read only to list every name or explain an unknown one."""
from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

from .base import Layer


@lru_cache(maxsize=1)
def module_names() -> tuple[str, ...]:
    """The package's module names, listed once without importing them."""
    import pkgutil  # here, not at import: the flat path imports its few modules by name

    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__)))


def _defined(module: str) -> type[Layer] | None:
    return getattr(importlib.import_module(f"{__name__}.{module}"), "LAYER", None)


def kind(name: Any) -> type[Layer] | None:
    """The layer kind a spec names (exactly as spelt): its module alone, else the registry; None if unknown."""
    if isinstance(name, str) and name in module_names():
        found = _defined(name)
        if found is not None and found.kind == name:
            return found
    return kinds().get(name) if isinstance(name, str) else None


@lru_cache(maxsize=1)
def kinds() -> dict[str, type[Layer]]:
    """Every layer kind by its spec name, in a stable order."""
    found: dict[str, type[Layer]] = {}
    for module in module_names():
        layer = _defined(module)
        if layer is not None:
            found[layer.kind] = layer
    return found
