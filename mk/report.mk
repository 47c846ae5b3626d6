# The monthly report on the local stack (docs/design.md §3, §6). Included by the Makefile.
# `make report MONTH=2026-11` builds every shard from the local table into .local/exports/2026-11/.
MONTH ?=

.PHONY: report handover

report: setup ## build a month's reports and export locally: make report MONTH=YYYY-MM
	@test -n "$(MONTH)" || { echo "usage: make report MONTH=YYYY-MM" >&2; exit 2; }
	$(VENV)/bin/payments-tracker report build --month $(MONTH)

handover: setup ## mark a month's export handed over: make handover MONTH=YYYY-MM
	@test -n "$(MONTH)" || { echo "usage: make handover MONTH=YYYY-MM" >&2; exit 2; }
	$(VENV)/bin/payments-tracker admin handover --month $(MONTH)
