"""``vpnui-lab fleet``: many installations of Mimic VPN on one machine, behaving like a population.

Each client is a whole installation (``lab.installation``) in a home of its
own, with its own daemon and, while its profile says so, its own app
offscreen; one lab plays the world and the ingestion for all of them.
Clients follow a profile (desktop, mobile-like, unlucky) drawn from one
seed, with the fault runner's actions (``lab.chaos``); at the end the
fleet waits until every installation delivered its pings, checks the fault
runner's invariants per client and prints the session report.

* ``tags``        the run's Glean debug view tag and source tags;
* ``plan``        profiles and the seeded timeline of every client and of the world;
* ``limits``      how many processes start at once and how many apps are open;
* ``client``      one client carrying its timeline out on its installation;
* ``world``       the shared lab's faults, on their own timeline;
* ``attribution`` which client sent which ping (by Glean client id);
* ``retrieval``   each failed id retrieval set against the client's daemon kills;
* ``cost``        CPU time and memory of the fleet's processes, from /proc;
* ``progress``    the summary line each second (a bar on a terminal);
* ``runner``      the whole run, its clean stop, and its result;
* ``render``      the result as text and JSON.
"""
