"""Testing the real Mimic VPN client with pytest: its app, daemon and lab as fixtures.

A pytest plugin shipped with the product, for anyone who installs it (the
product's own UI and integration tests use it too).  Installing the product
changes nothing in another project's test run: the plugin is registered
under the ``pytest11`` entry point ``mimic_vpn`` (``opt_in``), which does
nothing unless the run asks for it with ``-p mimic_vpn`` (on the command
line or in ``addopts``).  Then ``plugin`` adds the fixtures.  How to write a
test: ``docs/testing.md``.

Nothing is imported here, so that the entry point costs a run that does not
ask for the plugin nothing but this package's name.
"""
