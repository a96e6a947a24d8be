"""Layer kinds, one module each: every module of this package that defines LAYER is a kind,
named by its `kind` (so adding an activation is adding one module)."""
from __future__ import annotations

from functools import lru_cache

from .base import Layer


@lru_cache(maxsize=1)
def kinds() -> dict[str, type[Layer]]:
    """Every layer kind by its spec name, in a stable order."""
    import importlib
    import pkgutil  # here, not at import: the flat path imports its few modules by name

    found: dict[str, type[Layer]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        layer = getattr(module, "LAYER", None)
        if layer is not None:
            found[layer.kind] = layer
    return found
