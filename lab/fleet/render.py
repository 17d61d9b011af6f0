"""The fleet's result for a person (text, the session report's table after it) and for machines (JSON)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec

from lab.chaos.invariants import INVARIANTS, Violation
from lab.fleet.runner import ClientResult, FleetResult
from lab.session_report import render_table


def reproduce_command(result: FleetResult) -> str:
    return f"vpnui-lab fleet --clients {result.clients} --seconds {result.duration_s:g} --seed {result.seed}"


def ok(result: FleetResult) -> bool:
    """No violation, every failed id retrieval explained, every ping attributed, nothing left queued or deleted."""
    return (
        result.violations == 0
        and not any(not error.explained_by for error in result.retrieval_errors)
        and result.pings_unattributed == 0
        and result.lost.queued_at_end == 0
        and result.lost.glean_reported == 0
        and not any(client.error for client in result.client_results)
    )


def render_json(result: FleetResult) -> str:
    document: dict[str, Any] = msgspec.to_builtins(result)
    document["ok"] = ok(result)
    document["invariants"] = dict(INVARIANTS)
    document["reproduce"] = reproduce_command(result)
    return msgspec.json.format(msgspec.json.encode(document), indent=2).decode()


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s"


def _lost_line(result: FleetResult) -> str:
    lost = result.lost
    excused = max(0, lost.missing_seq - lost.not_excused)
    headline = lost.not_excused + lost.glean_reported + lost.queued_at_end
    parts = [
        f"Pings lost: {headline}",
        f"seq gaps at the lab {lost.missing_seq}"
        + (f" ({excused} in flight at a SIGKILL of their process, which the fault runner excuses)" if excused else ""),
        f"not excused {lost.not_excused}",
        f"Glean reported deleted {lost.glean_reported}",
        f"still queued at the end {lost.queued_at_end}",
    ]
    return parts[0] + " (" + "; ".join(parts[1:]) + ")"


def _retrieval_line(result: FleetResult) -> str:
    errors = result.retrieval_errors
    unexplained = [error for error in errors if not error.explained_by]
    line = (
        f"Failed id retrievals: {sum(sum(error.causes.values()) for error in errors)} in {len(errors)} pings,"
        f" {len(unexplained)} pings not explained by a SIGKILL of the client's daemon"
    )
    for error in errors:
        causes = ", ".join(f"{cause} {count}" for cause, count in error.causes.items())
        line += (
            f"\n  {error.client} {error.reason or '(no reason)'} doc {error.document_id}: {causes};"
            f" {error.explained_by or 'NOT EXPLAINED'}"
        )
    return line


def _client_line(client: ClientResult) -> str:
    sessions = sum(client.sessions.values())
    ends = ", ".join(f"{how} {count}" for how, count in client.sessions.items()) or "none"
    state = "ok" if not client.violations and not client.error else f"{len(client.violations)} violations"
    if client.error:
        state += f", failed: {client.error}"
    return (
        f"  {client.name} {client.profile:<7} {client.steps:>3} steps ({client.not_settled} not settled),"
        f" {sessions} sessions ({ends}), {client.kills} kills, {client.pings} pings, at most"
        f" {client.max_lag_s:.0f} s late: {state}"
    )


def _violation_lines(client: str, violation: Violation) -> list[str]:
    where = f"session {violation.session_id}" if violation.session_id else "no session"
    step = f", step {violation.step}" if violation.step is not None else ""
    lines = [f"    {client} {violation.invariant}: {where}{step}: {violation.message}"]
    for ref in violation.pings:
        seq = "?" if ref.seq is None else ref.seq
        lines.append(f"      {ref.ping} {ref.reason or '(no reason)'} seq {seq} doc {ref.document_id}")
    return lines


def render_text(result: FleetResult) -> str:
    cost = result.cost
    profiles = ", ".join(f"{name} {count}" for name, count in result.profiles.items())
    steps = sum(client.steps for client in result.client_results)
    sessions: Counter[str] = Counter()
    for client in result.client_results:
        sessions.update(client.sessions)
    faults = sum(entry.change.startswith("lab.set") for entry in result.world) // 2
    roles = "; ".join(
        f"{role} {use.processes} processes, {use.cpu_s:.0f} CPU s, peak RSS median {use.peak_rss_mb_median:.0f} MB"
        f" (max {use.peak_rss_mb_max:.0f})"
        for role, use in cost.by_role.items()
    )
    lines = [
        f"Fleet: seed {result.seed}, {result.clients} clients ({profiles}), {result.duration_s:g} s planned,"
        f" {_minutes(result.wall_time_s)} in all; debug tag {result.debug_tag}"
        + (", source tag automation" if result.automation else ""),
        f"Steps: {steps} (not settled: {sum(c.not_settled for c in result.client_results)}); sessions"
        f" {sum(sessions.values())} ("
        + ", ".join(f"{how} {count}" for how, count in sorted(sessions.items()))
        + f"); kills {sum(c.kills for c in result.client_results)}; world faults {faults}",
        f"Limits: at most {result.starting.size} processes starting (peak {result.starting.peak}, waited"
        f" {result.starting.waited_s:.0f} s in all), {result.apps.size} apps open (peak {result.apps.peak},"
        f" waited {result.apps.waited_s:.0f} s in all)",
        f"Pings at the lab: {result.pings_at_lab}, {result.pings_with_tag} with the run's debug tag"
        f" ({result.pings_other_tags} without it), {result.pings_unattributed} from no client of the run;"
        f" delivery wait after the clients closed {result.delivery_wait_s:.0f} s",
        _lost_line(result),
        _retrieval_line(result),
        f"Cost: {cost.cpu_s:.0f} CPU s in {cost.wall_s:.0f} s ({cost.machine_share:.0%} of {cost.cpus} CPUs);"
        f" per client peak RSS median {cost.client_peak_rss_mb_median:.0f} MB (max {cost.client_peak_rss_mb_max:.0f}),"
        f" CPU median {cost.client_cpu_s_median:.0f} s (max {cost.client_cpu_s_max:.0f});"
        f" the driver {cost.driver_cpu_s:.0f} CPU s, {cost.driver_peak_rss_mb:.0f} MB",
        f"  by process: {roles}",
        "Clients:",
        *(_client_line(client) for client in result.client_results),
        "",
    ]
    if result.violations == 0:
        lines.append(f"No violations: all {len(INVARIANTS)} invariants held for every client.")
    else:
        lines.append(f"Violations: {result.violations}")
        for client in result.client_results:
            for violation in client.violations:
                lines += _violation_lines(client.name, violation)
    if result.home:
        lines.append(f"Folder kept: {result.home}")
    lines += ["", f"Session report ({result.report_source}):", render_table(result.report)]
    lines += ["", f"Reproduce: {reproduce_command(result)}"]
    return "\n".join(lines)
