"""derive: correct, step-by-step worked solutions for CNN filter-learning problems."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["solve", "Derivation", "SpecError", "__version__"]

if TYPE_CHECKING:
    from .derivation import Derivation
    from .errors import SpecError
    from .pipeline import solve


def __getattr__(name: str) -> Any:
    # Lazy: `derive --help` must not pay for importing SymPy.
    if name == "solve":
        from .pipeline import solve

        return solve
    if name == "Derivation":
        from .derivation import Derivation

        return Derivation
    if name == "SpecError":
        from .errors import SpecError

        return SpecError
    raise AttributeError(f"module 'derive' has no attribute {name!r}")
