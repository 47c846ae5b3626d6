"""Benchmarks of docs/design.md §7; `make bench` runs them all and writes docs/benchmarks.md."""
