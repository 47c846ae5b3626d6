# Reliability under attack, load and faults (docs/reliability.md). Included by the Makefile.
# `make test` already runs all of it in the fast profile (tests/reliability and the unit fuzz target);
# these targets run it alone, or longer.
.PHONY: reliability fuzz audit

RELIABILITY_TESTS := tests/reliability tests/unit/handlers/test_request_parser_fuzz.py \
	tests/unit/adapters/test_storage_faults.py tests/unit/local/test_reliability_regressions.py

reliability: setup ## attacks, load, faults and the supply-chain checks, fast profile (as in make test)
	$(VENV)/bin/pytest $(RELIABILITY_TESTS) -q -s

fuzz: setup ## the long profile: 3000 schemathesis cases per operation, 20000-submission load, 50000 parser examples
	PAYMENTS_RELIABILITY_PROFILE=long PAYMENTS_PARSER_FUZZ_EXAMPLES=50000 \
		$(VENV)/bin/pytest $(RELIABILITY_TESTS) -q -s --timeout 3600

audit: setup ## pip-audit on the locked runtime dependencies and bandit on src/
	$(VENV)/bin/pytest tests/reliability/test_supply_chain.py -q -s
