"""The network lab: the outside world of the VPN client, played on loopback.

A real client meets failures it cannot provoke on demand: no internet, a
captive portal, an account service that is down, a firewall that eats UDP,
slow or lossy VPN servers.  The lab serves all of these over real sockets on
127.0.0.1 and lets anyone (tests, benchmarks, the app's lab panel, a person
at a shell) switch each condition at run time through its control API.
"""
