"""Verify: every result checked against finite differences before it is printed."""
