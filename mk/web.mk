# The customer web page (web/: TypeScript, Vite). Included by the Makefile; `make run` builds and serves it.
.PHONY: web web-check web-e2e

web: setup ## build the web page into web/dist (npm ci in web/ when needed; skipped when current)
	$(PY) -c 'from payments_tracker.local.web import build_page; print(build_page())'

web-check: setup ## regenerate the typed API client from docs/api/openapi.json and type-check the page
	cd web && npm run typecheck

web-e2e: setup ## the web page in headless Chromium (needs /usr/bin/chromium: apt-get install chromium)
	$(VENV)/bin/pytest tests/e2e/test_web_page.py -q
