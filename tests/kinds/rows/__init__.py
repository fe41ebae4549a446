"""Parity-table rows by layer family; tests/kinds/cases.py gathers them into CASES."""
