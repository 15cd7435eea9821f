"""Benchmarks run by hand (`python -m bench.<name>`); they print what they measured."""
