"""Run a function over many inputs, in order, in several processes or in this one."""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterator


class pool:
    """`run(fn, args)` in order, in `jobs` processes (or in this one for jobs = 1)."""

    def __init__(self, jobs: int):
        self.executor = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None

    def __enter__(self) -> Callable[[Callable, list], Iterator]:
        executor = self.executor
        if executor is None:
            return lambda fn, items: map(fn, items)
        return lambda fn, items: executor.map(fn, items, chunksize=max(1, len(items) // 64))

    def __exit__(self, *exc: Any) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
