"""What every Mimic VPN process uses: the app (``vpnui``), the daemon (``daemon``) and the lab (``lab``).

Locations and atomic files, the app <-> daemon protocol and its blocking
client, the tunnel's datagrams, the server list, the lab's HTTP API and its
client, the telemetry vocabulary and the Glean runtime both processes run.
It imports none of the three packages that depend on it (``make check``
enforces it; ``docs/architecture.md`` draws the layers).
"""
