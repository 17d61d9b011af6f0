"""Screenshots of the lab's debug view from a real run, for the README (``make screenshots``).

A seeded fault run (``vpnui-lab chaos``: the real app offscreen, daemon and
lab) sends its pings tagged through ``GLEAN_DEBUG_VIEW_TAG``; a lab is then
started on that run's store, one torn gzip body is POSTed to its edge under
the same tag (a run of the product makes no decoder error, and the page
shows them beside the pings), and Debian's Chromium, driven by Playwright,
takes the overview and the tag's page.  A page that logs anything on the
browser's console is not taken.

    python -m tests.support.debug_view_screenshot docs/screenshots
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

from lab.installation import Installation
from tests.support.debug_view import chromium, debug_page, submit

SEED: Final = 146
ROUNDS: Final = 12
TAG: Final = f"chaos-{SEED}"
"""Glean's rules for a debug tag: letters, digits and hyphens, 20 characters at most."""
REPORT_TIMEOUT_MS: Final = 30_000


def run_chaos(home: Path) -> None:
    environment = {**os.environ, "GLEAN_DEBUG_VIEW_TAG": TAG}
    command = [sys.executable, "-m", "lab", "chaos", "--seed", str(SEED), "--rounds", str(ROUNDS), "--home", str(home)]
    print("running", " ".join(command[2:]), flush=True)
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0:
        raise SystemExit(f"the fault run failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def take(out_dir: Path, home: Path) -> list[Path]:
    written: list[Path] = []
    with Installation(home) as installation:
        installation.start_lab()
        assert installation.lab_process is not None
        url = installation.lab_process.url
        submit(url, b"\x1f\x8b\x08\x00 a torn gzip body", tag=TAG)
        with chromium() as browser:
            with debug_page(browser, f"{url}/debug") as (page, log):
                page.locator("#region-report[data-submissions]").wait_for(timeout=REPORT_TIMEOUT_MS)
                page.locator("details.report-text summary").scroll_into_view_if_needed()
                written.append(out_dir / "debug-view.png")
                page.screenshot(path=written[-1], full_page=True)
                assert log.problems == [], log.problems
            with debug_page(browser, f"{url}/debug/tags/{TAG}") as (page, log):
                starts = page.locator('#region-pings li[data-ping="vpnsession"][data-reason="start"] summary')
                starts.last.click()
                page.locator("#region-errors li summary").first.click()
                written.append(out_dir / "debug-view-tag.png")
                page.screenshot(path=written[-1], full_page=True)
                assert log.problems == [], log.problems
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of the lab's debug view from a real run")
    parser.add_argument("out_dir", type=Path)
    options = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="mv-shot-", dir="/tmp"))
    try:
        run_chaos(home)
        for path in take(options.out_dir, home):
            print(f"wrote {path}")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
