"""The fleet's progress: one summary line a second, under a progress bar when it goes to a terminal.

The line says where the run is (its clock against the planned duration,
then closing and delivery), how many apps are open and VPNs on, the
actions done, the sessions, the kills, and the world's current fault.  To
a file or a pipe it is printed as a plain line every second; on a
terminal ``rich`` draws a bar with the same line beside it.
"""

from __future__ import annotations

from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class ProgressDisplay:
    """``update(done, total, line)`` once a second; use as a context manager."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.terminal = stream.isatty()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressDisplay:
        if self.terminal:
            self._bar = Progress(
                TextColumn("[bold]fleet"),
                BarColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}", markup=False),
                console=Console(file=self.stream),
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=1.0)
        return self

    def update(self, done: float, total: float, line: str) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=min(done, total), total=total, description=line)
        else:
            print(line, file=self.stream, flush=True)

    def note(self, line: str) -> None:
        """A line of its own (a phase starting), above the bar on a terminal."""
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=self.stream, flush=True)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
