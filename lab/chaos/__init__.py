"""The fault runner: drives a real installation at random, reproducibly, and checks the design's invariants.

``vpnui-lab chaos --seed N --rounds N`` runs the real app (offscreen), daemon
and lab in a home of their own, performs ``rounds`` actions drawn from one
``random.Random(seed)`` (so a seed always gives the same actions), restores
a healthy world, waits for the telemetry to be delivered and checks the
session design's invariants against the ingestion store and the states the
processes showed after every step.

* ``plan``        the actions and the seeded plan of them;
* ``observer``    a thread following the daemon's events (sessions, states, child buffers);
* ``record``      what a run saw: steps, kills, sessions, deactivate requests;
* ``invariants``  the checks, pure functions of the record and the stored pings;
* ``runner``      carries a plan out on an ``lab.installation.Installation``;
* ``report``      the text and JSON output.
"""
