"""`make cost`: the monthly AWS bill of payments-tracker at 100K and 10M monthly active users.

Every input is at the top: change one and run again. Prices are AWS public list prices for
us-east-1 as the author knew them (early 2025), typed in without internet access: VERIFY EACH
BEFORE USE against the AWS pricing pages. Free tiers are ignored except Cognito's, which is part
of its per-MAU price structure.

    python -m bench.cost_model [--mau 100000 10000000]
"""

from __future__ import annotations

import argparse

from bench.common import markdown_table
from payments_tracker.domain.months import Month
from payments_tracker.domain.payment import RETENTION_MONTHS
from payments_tracker.domain.report import months_read_for

PRICE_DATE = "early 2025 list prices, us-east-1 — verify before use"

# --- traffic model (per monthly active user, per month) ---------------------------------------
SUBMISSIONS_PER_USER = 5.0  # one per commitment (docs/design.md §1: Netflix, gym, rent…)
LIST_READS_PER_USER = 4.0  # GET /payments?month=
GET_READS_PER_USER = 2.0  # GET /payments/{id}
REPORT_READS_PER_USER = 1.0  # GET /reports/{month}
CONSENT_CALLS_PER_USER = 0.3  # GET/PUT /consent
SESSIONS_PER_USER = 4.0  # sign-ins: each is >= 1 authorizer call (60 s cache per token)
AUTHORIZER_CALLS_PER_SESSION = 1.5
PEAK_SHARE_FIRST_5_DAYS = 0.4  # month-start peak: share of submissions in days 1-5
PEAK_HOUR_FACTOR = 3.0  # busiest hour of those days vs their average hour

# --- sizes and durations -----------------------------------------------------------------------
PAYMENT_ITEM_KB = 0.6  # canonical submission + instants + keys
INDEX_COPIES = 2  # the LSI byMonthTime and the GSI byMonth each hold a copy (projection ALL)
REPORT_ITEM_KB = 2.0  # one user's report of one month (5 commitments)
PAYMENT_RETENTION_MONTHS = RETENTION_MONTHS  # TTL (docs/reports.md §4)
MONTHS_READ = len(months_read_for(Month(2026, 11)))  # by each month's report
REPORT_RETENTION_MONTHS = 72  # 6 years
API_MS, API_MB = 25, 1024  # billed duration per call (DynamoDB round trip dominates), memory
AUTHORIZER_MS, AUTHORIZER_MB = 10, 512
REPORT_PAYMENTS_PER_S = 20_000  # per shard on AWS, bounded by the byMonth queries
REPORT_MB = 1769
SHARDS = 16
LOG_KB_PER_REQUEST = 1.5  # access log + function logs
# A submission is one TransactWriteItems (ADR 0005): the payment item <1 KB at 2 WRU
# (transactional), its LSI and GSI entries at 1 each, and the customer item's monthly count at 2.
WRU_PER_SUBMISSION = 6
REPORT_WRU = 4  # each report: its put (2, transactional) and the erasure-fence check (2)
RRU_PER_READ = 1.0  # strongly consistent 1-4 KB (list pages: ~2 RRU, get: 0.5-1)

# --- prices (USD) ------------------------------------------------------------------------------
API_GATEWAY_REST_PER_MILLION = 3.50
WAF_WEB_ACL_MONTH, WAF_RULE_MONTH, WAF_RULES = 5.00, 1.00, 4
WAF_PER_MILLION = 0.60
LAMBDA_PER_MILLION = 0.20
LAMBDA_ARM_GB_SECOND = 0.0000133334
DDB_WRU_PER_MILLION = 0.625  # on-demand, after the November 2024 price cut
DDB_RRU_PER_MILLION = 0.125
DDB_STORAGE_GB_MONTH = 0.25
DDB_PITR_GB_MONTH = 0.20
COGNITO_PLANS = {  # per MAU; Lite/Essentials free for the first 10,000 MAU (direct sign-in)
    "Lite": (0.0055, 10_000),
    "Essentials": (0.015, 10_000),
    "Plus": (0.020, 0),
}
COGNITO_DEFAULT_PLAN = "Essentials"  # infra/config.py `feature_plan`
STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS = 0.025
S3_GB_MONTH = 0.023
KMS_KEY_MONTH, KMS_KEYS, KMS_PER_10K_REQUESTS = 1.00, 4, 0.03
LOGS_INGEST_GB, LOGS_STORE_GB_MONTH = 0.50, 0.03
XRAY_PER_MILLION_TRACES, XRAY_SAMPLED = 5.00, 0.05
CLOUDTRAIL_DATA_EVENTS_PER_100K = 0.10
ALARMS, ALARM_MONTH, DASHBOARD_MONTH, CUSTOM_METRICS, METRIC_MONTH = 12, 0.10, 3.00, 10, 0.30
SECRETS, SECRET_MONTH = 1, 0.40


def requests_per_user() -> float:
    """API requests per MAU per month."""
    return (
        SUBMISSIONS_PER_USER
        + LIST_READS_PER_USER
        + GET_READS_PER_USER
        + REPORT_READS_PER_USER
        + CONSENT_CALLS_PER_USER
    )


def cognito_line(plan: str, mau: int) -> float:
    """Monthly Cognito charge of `plan` for `mau` users."""
    price, free = COGNITO_PLANS[plan]
    return max(0, mau - free) * price


def model(mau: int) -> tuple[list[tuple[str, str, float]], dict[str, float]]:
    """(line, how, USD per month) for every item, and the capacity figures."""
    requests = mau * requests_per_user()
    submissions = mau * SUBMISSIONS_PER_USER
    reads = requests - submissions
    authorizer_calls = mau * SESSIONS_PER_USER * AUTHORIZER_CALLS_PER_SESSION
    payments_kept = mau * SUBMISSIONS_PER_USER * PAYMENT_RETENTION_MONTHS
    payments_gb = payments_kept * PAYMENT_ITEM_KB * (1 + INDEX_COPIES) / 1e6
    reports_gb = mau * REPORT_ITEM_KB * REPORT_RETENTION_MONTHS / 1e6
    table_gb = payments_gb + reports_gb
    report_payments = mau * SUBMISSIONS_PER_USER * MONTHS_READ  # read once a month
    report_seconds = report_payments / REPORT_PAYMENTS_PER_S
    peak_per_s = submissions * PEAK_SHARE_FIRST_5_DAYS / (5 * 24 * 3600) * PEAK_HOUR_FACTOR
    average_per_s = requests / (30 * 24 * 3600)
    capacity = {
        "requests": requests,
        "average_rps": average_per_s,
        "peak_submissions_per_s": peak_per_s,
        "api_concurrency_at_peak": peak_per_s * 3 * API_MS / 1000,  # reads ride along
        "table_gb": table_gb,
        "report_minutes_per_shard": report_seconds / SHARDS / 60,
        "wru": submissions * WRU_PER_SUBMISSION + mau * 2 * REPORT_WRU,  # + report writes
        "rru": reads * RRU_PER_READ + report_payments / 4 * 0.5,
    }
    gb_s = (
        requests * API_MS / 1000 * API_MB / 1024
        + authorizer_calls * AUTHORIZER_MS / 1000 * AUTHORIZER_MB / 1024
        + report_seconds * REPORT_MB / 1024
    )
    log_gb = (requests + authorizer_calls) * LOG_KB_PER_REQUEST / 1e6
    lines = [
        ("API Gateway REST", f"{requests / 1e6:.2f} M requests", requests / 1e6 * 3.5),
        (
            "WAF",
            f"ACL + {WAF_RULES} rules + requests",
            WAF_WEB_ACL_MONTH + WAF_RULES * WAF_RULE_MONTH + requests / 1e6 * WAF_PER_MILLION,
        ),
        (
            "Lambda (arm64)",
            f"{(requests + authorizer_calls) / 1e6:.2f} M invocations, {gb_s:,.0f} GB-s",
            (requests + authorizer_calls) / 1e6 * LAMBDA_PER_MILLION + gb_s * LAMBDA_ARM_GB_SECOND,
        ),
        (
            "DynamoDB writes",
            f"{capacity['wru'] / 1e6:.2f} M WRU",
            capacity["wru"] / 1e6 * DDB_WRU_PER_MILLION,
        ),
        (
            "DynamoDB reads",
            f"{capacity['rru'] / 1e6:.2f} M RRU",
            capacity["rru"] / 1e6 * DDB_RRU_PER_MILLION,
        ),
        (
            "DynamoDB storage + PITR",
            f"{table_gb:,.1f} GB",
            table_gb * (DDB_STORAGE_GB_MONTH + DDB_PITR_GB_MONTH),
        ),
        (
            "Step Functions + S3 exports",
            "≈ 40 transitions/run, < 1 GB",
            40 / 1000 * STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS + S3_GB_MONTH,
        ),
        (
            "KMS",
            f"{KMS_KEYS} keys + requests",
            KMS_KEYS * KMS_KEY_MONTH + requests / 1e4 * KMS_PER_10K_REQUESTS * 0.1,
        ),
        (
            "CloudWatch logs, metrics, alarms, dashboard",
            f"{log_gb:,.1f} GB logs",
            log_gb * LOGS_INGEST_GB
            + log_gb * 3 * LOGS_STORE_GB_MONTH
            + ALARMS * ALARM_MONTH
            + DASHBOARD_MONTH
            + CUSTOM_METRICS * METRIC_MONTH,
        ),
        (
            "X-Ray",
            f"{XRAY_SAMPLED:.0%} of requests traced",
            requests * XRAY_SAMPLED / 1e6 * XRAY_PER_MILLION_TRACES,
        ),
        (
            "CloudTrail data events",
            "table + bucket",
            (requests + report_payments / 100) / 1e5 * CLOUDTRAIL_DATA_EVENTS_PER_100K,
        ),
        ("Secrets Manager", "cursor key", SECRETS * SECRET_MONTH),
    ]
    return lines, capacity


def tables(mau: int) -> str:
    """Markdown: the infrastructure lines, then one total per Cognito plan."""
    lines, capacity = model(mau)
    infrastructure = sum(cost for _, _, cost in lines)
    rows = [[name, how, f"{cost:,.2f}"] for name, how, cost in lines]
    rows.append(["**infrastructure subtotal**", "", f"**{infrastructure:,.2f}**"])
    for plan in COGNITO_PLANS:
        identity = cognito_line(plan, mau)
        default = " (CDK default)" if plan == COGNITO_DEFAULT_PLAN else ""
        rows.append(
            [
                f"Cognito {plan}{default}",
                f"{mau:,} MAU",
                f"{identity:,.2f} → total {infrastructure + identity:,.2f}",
            ]
        )
    summary = (
        f"{mau:,} MAU: {capacity['requests'] / 1e6:.2f} M API requests/month "
        f"(average {capacity['average_rps']:.2f}/s), month-start peak "
        f"{capacity['peak_submissions_per_s']:.1f} submissions/s, API concurrency at peak "
        f"≈ {capacity['api_concurrency_at_peak']:.1f}, table {capacity['table_gb']:,.1f} GB at "
        f"steady state, report ≈ {capacity['report_minutes_per_shard']:.1f} min per shard."
    )
    return f"{summary}\n\n" + markdown_table(["line", "quantity", "USD / month"], rows)


def main(argv: list[str] | None = None) -> int:
    """Print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mau", type=int, nargs="+", default=[100_000, 10_000_000])
    args = parser.parse_args(argv)
    print(f"Prices: {PRICE_DATE}.\n")
    for mau in args.mau:
        print(tables(mau) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
