"""Measured figures of Mimic VPN, each beside a reference measured in the same run.

``python -m benchmarks`` runs every figure against the real app, daemon and
lab (offscreen, on loopback, each in a private ``MIMIC_HOME``) and writes
``benchmarks/results/results.json`` and ``results.md``.  A figure without a
reference measured on the same machine at the same moment says little, so
every timing comes with one.

This module imports nothing: the scripts run as child processes
(``python -m benchmarks.app_driver`` and friends) must not pay for the
orchestrator's imports, least of all the cold-start wrapper.
"""
