"""Parity: both frameworks built from one spec, compared layer by layer."""
