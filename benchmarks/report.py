"""The results of a run: every figure, its reference, the ratio, the target and the verdict.

Written twice from the same records: ``results.json`` for tools (and the
smoke test), ``results.md`` for people (the README quotes its table).  A
figure that could not be measured is still written, with the error, so a
broken benchmark is visible instead of silently missing.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from benchmarks.stats import Summary

Status = Literal["pass", "fail", "reported", "error", "missing"]
"""``reported``: a figure without a target; ``missing``: an optional module is not there."""

Numbers = dict[str, float | int]


@dataclass
class Reference:
    """What a figure is compared with, measured in the same run."""

    label: str
    numbers: Numbers


@dataclass
class Figure:
    key: str
    title: str
    unit: str
    numbers: Numbers
    """The measured distribution (``median``, ``p95`` ...) or single values (``value``)."""
    shown: tuple[str, ...]
    """Which of ``numbers`` the table shows, the first being the one judged."""
    target: str
    status: Status
    reference: Reference | None = None
    ratio: float | None = None
    """Measured / reference, on the first shown number."""
    definition: str = ""
    """Exactly what was measured, from which event to which."""
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class Spec:
    """What a figure is, independent of any run: also what is written when its benchmark fails."""

    key: str
    title: str
    unit: str
    target: str
    definition: str
    shown: tuple[str, ...] = ("median", "p95")

    def figure(
        self,
        numbers: Numbers,
        status: Status,
        *,
        reference: Reference | None = None,
        ratio: float | None = None,
        details: dict[str, Any] | None = None,
    ) -> Figure:
        return Figure(
            key=self.key,
            title=self.title,
            unit=self.unit,
            numbers=numbers,
            shown=self.shown,
            target=self.target,
            status=status,
            reference=reference,
            ratio=ratio,
            definition=self.definition,
            details=details or {},
        )

    def failed(self, error: str) -> Figure:
        """The record of this figure when its benchmark raised."""
        return Figure(
            key=self.key,
            title=self.title,
            unit=self.unit,
            numbers={},
            shown=self.shown,
            target=self.target,
            status="error",
            definition=self.definition,
            error=error,
        )


def numbers_of(summary: Summary, digits: int = 3) -> Numbers:
    return summary.as_dict(digits)


def ratio(measured: float | None, reference: float | None) -> float | None:
    if measured is None or reference is None or reference <= 0:
        return None
    return round(measured / reference, 3)


def verdict(ok: bool) -> Status:
    return "pass" if ok else "fail"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def machine_info() -> dict[str, Any]:
    """What the figures depend on: they only compare within one machine and one run."""
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_mb": _memory_mb(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "pyside6": _version("PySide6-Essentials") if _version("PySide6") == "not installed" else _version("PySide6"),
        "glean_sdk": _version("glean-sdk"),
        "qt_qpa_platform": os.environ.get("QT_QPA_PLATFORM", ""),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def counts(figures: Sequence[Figure]) -> dict[str, int]:
    found: dict[str, int] = {}
    for figure in figures:
        found[figure.status] = found.get(figure.status, 0) + 1
    return found


def write_results(
    out: Path, figures: Sequence[Figure], machine: Mapping[str, Any], run: Mapping[str, Any]
) -> tuple[Path, Path]:
    """``results.json`` and ``results.md`` in ``out``; their paths."""
    document = {
        "schema": 1,
        "machine": dict(machine),
        "run": dict(run),
        "summary": counts(figures),
        "figures": [asdict(figure) for figure in figures],
    }
    json_path = out / "results.json"
    md_path = out / "results.md"
    _write_atomically(json_path, json.dumps(document, indent=2, sort_keys=False) + "\n")
    _write_atomically(md_path, markdown(figures, machine, run))
    return json_path, md_path


_RESULT_WORDS: dict[str, str] = {
    "pass": "✅ met",
    "fail": "❌ missed",
    "reported": "reported",
    "error": "⚠️ error",
    "missing": "not available",
}


def _number(value: float | int | None, unit: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def _shown(numbers: Numbers, shown: Sequence[str], unit: str) -> str:
    if not numbers:
        return "-"
    parts = []
    for key in shown:
        if key in numbers:
            label = "" if key == "value" else f"{key} "
            parts.append(f"{label}{_number(numbers[key], unit)}")
    if "n" in numbers:
        parts.append(f"n={numbers['n']}")
    return " · ".join(parts) if parts else "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(figures: Sequence[Figure], machine: Mapping[str, Any], run: Mapping[str, Any]) -> str:
    lines = [
        "# Mimic VPN benchmark results",
        "",
        (
            f"{machine.get('date', '')} · {machine.get('cpu_count')} CPUs ({machine.get('cpu_model')}) · "
            f"Python {machine.get('python')} · PySide6 {machine.get('pyside6')} · "
            f"{'quick run' if run.get('quick') else 'full run'}, {run.get('iterations')} iterations · "
            f"{run.get('duration_s', 0):.0f} s"
        ),
        "",
        "Real app offscreen, real daemon, real lab on loopback; every reference measured in the same run.",
        "",
    ]
    changed = list(run.get("product_changed_during_run") or [])
    if changed:
        lines += [
            f"**Note:** product files changed while this run was measuring ({', '.join(changed)}); "
            "figures taken before and after the change are mixed.",
            "",
        ]
    lines += [
        "| Figure | Measured | Reference (same run) | Ratio | Target | Result |",
        "|---|---|---|---|---|---|",
    ]
    for figure in figures:
        reference = "-"
        if figure.reference is not None:
            keys = [key for key in figure.shown if key in figure.reference.numbers] or ["value"]
            reference = f"{figure.reference.label}: {_shown(figure.reference.numbers, keys, figure.unit)}"
        ratio_text = f"{figure.ratio:.2f}x" if figure.ratio is not None else "-"
        measured = _shown(figure.numbers, figure.shown, figure.unit) if figure.status != "error" else "error"
        lines.append(
            "| "
            + " | ".join(
                _cell(cell)
                for cell in (
                    figure.title,
                    measured,
                    reference,
                    ratio_text,
                    figure.target,
                    _RESULT_WORDS.get(figure.status, figure.status),
                )
            )
            + " |"
        )
    definitions = [figure for figure in figures if figure.definition]
    if definitions:
        lines += ["", "## What each figure measures", ""]
        lines += [f"- **{figure.title}**: {figure.definition}" for figure in definitions]
    problems = [figure for figure in figures if figure.error]
    if problems:
        lines += ["", "## Errors", ""]
        lines += [f"- **{figure.title}**: {figure.error}" for figure in problems]
    return "\n".join(lines) + "\n"
