"""Losses, one module each: every module of this package that defines LOSS is one, named by its `key`."""
from __future__ import annotations

from functools import lru_cache

from .base import Loss


@lru_cache(maxsize=1)
def losses() -> dict[str, Loss]:
    """Every loss by its spec name."""
    import importlib
    import pkgutil  # here, not at import: the flat path imports its few modules by name

    found: dict[str, Loss] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        loss = getattr(module, "LOSS", None)
        if loss is not None:
            found[loss.key] = loss
    return found
