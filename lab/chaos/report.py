"""The fault run's result for a person (text) and for machines (JSON)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec

from lab.chaos.invariants import INVARIANTS, PingRef, Violation
from lab.chaos.runner import ChaosResult


def reproduce_command(result: ChaosResult) -> str:
    return f"vpnui-lab chaos --seed {result.seed} --rounds {result.rounds}"


def render_json(result: ChaosResult) -> str:
    document: dict[str, Any] = msgspec.to_builtins(result)
    document["ok"] = not result.violations
    document["invariants"] = dict(INVARIANTS)
    document["reproduce"] = reproduce_command(result)
    return msgspec.json.format(msgspec.json.encode(document), indent=2).decode()


def _ping(ref: PingRef) -> str:
    seq = "?" if ref.seq is None else ref.seq
    return f"{ref.ping} {ref.reason or '(no reason)'} seq {seq} doc {ref.document_id}"


def _violation_lines(violation: Violation) -> list[str]:
    where = f"session {violation.session_id}" if violation.session_id else "no session"
    step = f", step {violation.step}" if violation.step is not None else ""
    lines = [f"    {where}{step}: {violation.message}"]
    lines += [f"      {_ping(ref)}" for ref in violation.pings]
    return lines


def render_text(result: ChaosResult) -> str:
    record = result.record
    minutes, seconds = divmod(int(result.wall_time_s), 60)
    pings = ", ".join(f"{name} {count}" for name, count in result.pings.items()) or "none"
    ends = Counter(session.end or "running" for session in record.sessions)
    unsettled = sum(not step.settled for step in record.steps)
    lines = [
        f"Fault run: seed {result.seed}, {result.rounds} rounds, {minutes}m {seconds:02d}s; pings stored: {pings}",
        f"Steps: {len(record.steps)} ({result.rounds} planned, {len(record.steps) - result.rounds} closing);"
        f" not settled: {unsettled}",
        f"Sessions seen by the runner: {len(record.sessions)} ("
        + ", ".join(f"{how} {count}" for how, count in sorted(ends.items()))
        + ")",
    ]
    if record.delivery is not None:
        delivery = record.delivery
        state = "complete" if delivery.complete else "INCOMPLETE"
        lines.append(f"Delivery: {state} after {delivery.waited_s:.0f} s")
    if record.aborted:
        lines.append(f"Aborted: {record.aborted}")
    if result.home:
        lines.append(f"Home kept: {result.home}")
    lines.append("")
    if not result.violations:
        lines.append(f"No violations: all {len(INVARIANTS)} invariants held.")
    else:
        by_invariant: dict[str, list[Violation]] = {}
        for violation in result.violations:
            by_invariant.setdefault(violation.invariant, []).append(violation)
        lines.append(f"Violations: {len(result.violations)}")
        for invariant, found in by_invariant.items():
            lines.append(f"  {invariant} ({len(found)}): {INVARIANTS.get(invariant, '')}")
            for violation in found:
                lines += _violation_lines(violation)
    lines += ["", f"Reproduce: {reproduce_command(result)}"]
    return "\n".join(lines)
