"""lab/installation.py: the real lab, app and daemon of one home, started, killed and all ended at close."""

from __future__ import annotations

import pytest

from lab.installation import Installation, wait_until
from lab.leftovers import processes_with_home


@pytest.mark.timeout(180)
def test_an_installation_runs_kills_and_ends_every_process_of_its_home() -> None:
    installation = Installation()
    home = installation.home
    try:
        installation.start_lab()
        installation.start_app()  # returns once the app's inspector answers

        def linked() -> bool:
            state = installation.app_state()
            return state is not None and state.link_state == "ready"

        # The app starts the daemon; its inspector shows the link once the daemon answers.
        assert wait_until(linked, 30, 0.2)
        first = installation.daemon_pid()
        assert first is not None

        assert installation.kill_daemon() == first
        # The running app starts another one.
        assert wait_until(lambda: installation.daemon_pid() not in (None, first), 30, 0.2)

        activated = installation.ctl("activate", "fr/par")
        assert activated.returncode == 0, activated.stderr
        status = installation.daemon_status()
        assert status is not None and status.state == "on"

        assert installation.kill_app() is not None
        assert not installation.app_running()
        # The session outlives the app, in the daemon.
        status = installation.daemon_status()
        assert status is not None and status.state == "on"
        assert len(installation.processes()) >= 2  # the lab and the detached daemon
    finally:
        installation.close()
    assert processes_with_home(home) == []
    assert not home.exists()
