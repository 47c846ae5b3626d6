# The AWS deployment (infra/, a CDK v2 app in Python). Included by the Makefile.
# The CDK app reads the built page from web/dist, so every target that runs it depends on `web`.
# `make synth` needs no AWS credentials; `make deploy`/`make destroy` use your usual AWS profile.
CDK := $(CURDIR)/node_modules/.bin/cdk
CDK_ENV := UV=$(abspath $(UV)) CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true
CDK_FLAGS ?=
# The cfn-lint warnings the templates carry on purpose (the reasons: tests/infra/test_nag_and_lint.py).
CFN_LINT_IGNORED := W3005 W6001

.PHONY: synth deploy diff destroy infra-tests acceptance

synth: setup web ## synthesise every stack into infra/cdk.out (cdk-nag and all; no AWS account needed)
	cd infra && $(CDK_ENV) $(CDK) synth --quiet --no-notices $(CDK_FLAGS)
	$(VENV)/bin/cfn-lint infra/cdk.out/*.template.json --ignore-checks $(CFN_LINT_IGNORED)

diff: setup web ## what `make deploy` would change in the account of your AWS profile
	cd infra && $(CDK_ENV) $(CDK) diff --all --no-notices $(CDK_FLAGS)

deploy: setup web ## deploy every stack (bootstrap the account first: see docs/deploy.md)
	@mkdir -p .local
	cd infra && $(CDK_ENV) $(CDK) deploy --all --no-notices --require-approval broadening \
		--outputs-file $(CURDIR)/.local/cdk-outputs.json $(CDK_FLAGS)

destroy: setup web ## delete the stacks (the table, keys, buckets and logs are kept: see docs/deploy.md)
	cd infra && $(CDK_ENV) $(CDK) destroy --all --no-notices $(CDK_FLAGS)

infra-tests: setup web ## synthesise once and check the templates: assertions, cdk-nag, cfn-lint
	$(VENV)/bin/pytest tests/infra -q

acceptance: setup ## the acceptance tests against a deployed stage (PAYMENTS_API_URL, PAYMENTS_TOKEN, PAYMENTS_TOKEN_B)
	@test -n "$$PAYMENTS_API_URL" || { echo "set PAYMENTS_API_URL, PAYMENTS_TOKEN and PAYMENTS_TOKEN_B: see docs/deploy.md" >&2; exit 1; }
	$(VENV)/bin/pytest tests/e2e/test_payments_api.py -q
