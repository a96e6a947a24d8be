"""The one error type derive raises for bad input, printed as a single line."""
from __future__ import annotations

from collections.abc import Iterable


class SpecError(Exception):
    """A problem with the user's input: where it is (file, field) and what is wrong."""

    def __init__(self, message: str, field: str | None = None, source: str | None = None):
        message = " ".join(str(message).split())  # always one line, whatever a library put in it
        super().__init__(message)
        self.message = message
        self.field = _printable(field)
        self.source = _printable(source)

    def located(self, source: str | None) -> "SpecError":
        """The same error, attributed to the file `source` (kept if already set)."""
        return SpecError(self.message, self.field, self.source or source)

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.field) if p]
        return ": ".join(parts + [self.message])


def _printable(name: str | None) -> str | None:
    """A key or path as one readable line: quoted when it holds line breaks or control characters."""
    if name is None or (name.isprintable() and name.strip()):
        return name
    return repr(name)


def did_you_mean(word: object, valid: Iterable[str]) -> str:
    """' (did you mean 'weights'?)' for the closest of `valid` to a mistyped name, or '' when none is close;
    every unknown option and key of a `layers:` spec, its loss and optimizer words it this way."""
    import difflib  # here: only a message needs it

    close = difflib.get_close_matches(str(word), list(valid), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
