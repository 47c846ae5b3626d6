# Benchmarks (bench/: handler overhead, cold start, end to end, report) and the cost model.
# Included by the Makefile.
# `make bench` takes several minutes and writes docs/benchmarks.md; `make bench BENCH_FLAGS=--quick`
# tries the harnesses with small counts. `make cost` prints the cost table of docs/operations.md.
BENCH_FLAGS ?=

.PHONY: bench cost

bench: setup ## run every benchmark (minutes) and write docs/benchmarks.md
	$(PY) -m bench.run_all $(BENCH_FLAGS)

cost: setup ## the monthly AWS cost model for 100K and 10M MAU (inputs at the top of bench/cost_model.py)
	$(PY) -m bench.cost_model
