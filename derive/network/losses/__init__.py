"""Losses, one module each: every module of this package that defines LOSS is one, named by its `key`.

A spec's loss is found by loading the module named as it alone (`loss`); the whole registry
(`losses`) is read only to list every name."""
from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

from .base import Loss


@lru_cache(maxsize=1)
def _modules() -> tuple[str, ...]:
    """The package's module names, listed once without importing them."""
    import pkgutil  # here, not at import: the flat path imports its few modules by name

    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__)))


def _defined(module: str) -> Loss | None:
    return getattr(importlib.import_module(f"{__name__}.{module}"), "LOSS", None)


def loss(name: Any) -> Loss | None:
    """The loss a spec names (exactly as spelt): its module alone, else the registry; None if unknown."""
    if isinstance(name, str) and name in _modules():
        found = _defined(name)
        if found is not None and found.key == name:
            return found
    return losses().get(name) if isinstance(name, str) else None


@lru_cache(maxsize=1)
def losses() -> dict[str, Loss]:
    """Every loss by its spec name."""
    found: dict[str, Loss] = {}
    for module in _modules():
        defined = _defined(module)
        if defined is not None:
            found[defined.key] = defined
    return found
