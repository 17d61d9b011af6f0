"""The Qt-free core of the ConnectionManager, and the QObject that wraps it.

Everything that decides what the VPN client is doing and why is plain
Python here (its texts go through Qt's translator: ``vpnui.i18n``), so it
can be tested with tables and run by benchmarks without a GUI:

- ``states``: the client and connection states, failure causes and checks;
- ``settings``: every timeout, interval and threshold, and the endpoints;
- ``check_results``: what each check reports;
- ``http_probes``, ``server_probes``, ``server_list``: the checks themselves;
- ``check_runs``: running checks together and diagnosing one cause;
- ``diagnosis``: the precedence that turns many failures into one;
- ``stability``: stable/unstable and tunnel-lost from keepalive statistics;
- ``locations``: the rows of the location list (latency tiers, selected, recent);
- ``presentation``: the words for every state, check and failure;
- ``machine_events``, ``machine``: the transition table's events, effects and rules.
"""
