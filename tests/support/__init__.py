"""What the tests share: in-memory fakes of the ports (for unit tests of pure code and benchmark
baselines only), builders of events and payments, and the reliability suite's helpers.

On the path as `support` (pytest's `pythonpath`); the benchmarks import it as `tests.support`.
"""
