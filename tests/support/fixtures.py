"""Fixtures that start the real processes (lab, daemon) for a test."""
