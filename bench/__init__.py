"""Benchmarks of DESIGN §7; `make bench` runs them all and writes docs/benchmarks.md."""
