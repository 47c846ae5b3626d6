import {
  type ApiClient,
  asProblem,
  type CommitmentView,
  type ConsentView,
  type MonthReportView,
} from "../api/client";
import { addMonths, monthName, monthOf } from "../time";
import { CADENCE_TEXT, nextDueText } from "./commitment-facts";
import { announce, byId, h, showText } from "./dom";
import { historyLegend, historyStrip } from "./history-strip";
import { NETWORK_FAILURE, ProblemDisplay } from "./problems";

const STATUS_TEXT: Readonly<Record<CommitmentView["status"], string>> = {
  kept: "Kept",
  lapsed: "Lapsed",
  ended: "Ended",
};

/** The report screen: one month's commitments with their history, and the consent toggle. */
export class ReportScreen {
  private readonly month = byId<HTMLInputElement>("report-month");
  private readonly report = byId("report");
  private readonly problems = new ProblemDisplay(byId("report-error"), { month: "report-month" });
  private readonly consentToggle = byId<HTMLInputElement>("consent-toggle");
  private readonly consentState = byId("consent-state");
  private readonly consentError = byId("consent-error");

  constructor(
    private readonly api: ApiClient,
    private readonly termsVersion: string,
  ) {
    byId("consent-terms").textContent = `Terms version ${termsVersion}.`;
    byId<HTMLFormElement>("report-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.showReport(this.month.value);
    });
    this.consentToggle.addEventListener("change", () => {
      void this.setConsent(this.consentToggle.checked);
    });
  }

  /** Last month's report (the newest that can be built) and the consent, when the screen opens. */
  async open(): Promise<void> {
    await Promise.all([
      this.showReport(this.month.value || addMonths(monthOf(new Date()), -1)),
      this.loadConsent(),
    ]);
  }

  /** Forget everything shown (on sign-out). */
  clear(): void {
    this.month.value = "";
    this.report.replaceChildren();
    this.problems.clear();
    this.consentToggle.checked = false;
    this.consentState.textContent = "";
    showText(this.consentError, null);
  }

  async showReport(month: string): Promise<void> {
    this.month.value = month;
    this.problems.clear();
    this.report.replaceChildren();
    this.report.setAttribute("aria-busy", "true");
    try {
      const { data, error, response } = await this.api.GET("/reports/{month}", {
        params: { path: { month } },
      });
      if (data !== undefined) {
        this.report.replaceChildren(...renderReport(data));
      } else if (response.status === 404) {
        this.report.replaceChildren(
          h(
            "p",
            { class: "notice" },
            `There is no report for ${monthName(month)} yet. A month's report is built on the 5th ` +
              "of the month after, from the payments you submitted for it.",
          ),
        );
      } else {
        this.problems.show(asProblem(error, response));
      }
    } catch {
      this.problems.showMessage(NETWORK_FAILURE);
    } finally {
      this.report.removeAttribute("aria-busy");
    }
  }

  private async loadConsent(): Promise<void> {
    showText(this.consentError, null);
    try {
      const { data, error, response } = await this.api.GET("/consent");
      if (data === undefined) {
        showText(this.consentError, asProblem(error, response).detail);
        return;
      }
      this.showConsent(data);
    } catch {
      showText(this.consentError, NETWORK_FAILURE);
    }
  }

  private async setConsent(share: boolean): Promise<void> {
    showText(this.consentError, null);
    this.consentToggle.disabled = true;
    try {
      const { data, error, response } = await this.api.PUT("/consent", {
        body: { creditFileSharing: share, termsVersion: this.termsVersion },
      });
      if (data === undefined) {
        const problem = asProblem(error, response);
        const messages = (problem.errors ?? []).map((item) => item.message);
        showText(this.consentError, messages.length > 0 ? messages.join(" ") : problem.detail);
        this.consentToggle.checked = !share;
        return;
      }
      this.showConsent(data);
      announce(share ? "You agreed to share with your credit file." : "Sharing withdrawn.");
    } catch {
      showText(this.consentError, NETWORK_FAILURE);
      this.consentToggle.checked = !share;
    } finally {
      this.consentToggle.disabled = false;
    }
  }

  private showConsent(consent: ConsentView): void {
    this.consentToggle.checked = consent.creditFileSharing;
    const when = consent.updatedAt ? ` on ${new Date(consent.updatedAt).toLocaleString()}` : "";
    if (consent.creditFileSharing) {
      this.consentState.textContent = `You agreed to terms version ${consent.termsVersion ?? "?"}${when}.`;
    } else if (consent.updatedAt) {
      this.consentState.textContent = `You are not sharing (changed${when}).`;
    } else {
      this.consentState.textContent = "You have not agreed to share.";
    }
  }
}

function renderReport(report: MonthReportView): Node[] {
  const heading = h("h2", { id: "report-month-heading" }, `Your commitments in ${monthName(report.month)}`);
  if (report.commitments.length === 0) {
    return [heading, h("p", {}, "No commitments in this report.")];
  }
  const kept = report.commitments.filter((commitment) => commitment.status === "kept").length;
  return [
    heading,
    h("p", {}, `You kept ${kept} of ${report.commitments.length} commitments this month.`),
    historyLegend(),
    h(
      "ul",
      { class: "commitments", "aria-labelledby": "report-month-heading" },
      ...report.commitments.map((commitment) => commitmentItem(commitment, report.month)),
    ),
    h("p", { class: "hint" }, `Built ${new Date(report.generatedAt).toLocaleString()}.`),
  ];
}

function commitmentItem(commitment: CommitmentView, month: string): HTMLLIElement {
  const paid = commitment.amountsPaid.length > 0
    ? commitment.amountsPaid.map((amount) => `${amount} ${commitment.currency}`).join(", ")
    : "nothing";
  const streak = commitment.monthsKept === 1 ? "1 month" : `${commitment.monthsKept} months`;
  return h(
    "li",
    { class: `commitment ${commitment.status}` },
    h(
      "h3",
      {},
      commitment.name,
      " ",
      h("span", { class: `badge status-${commitment.status}` }, STATUS_TEXT[commitment.status]),
      commitment.excluded ? " " : null,
      commitment.excluded ? h("span", { class: "excluded-tag" }, "Excluded from export") : null,
    ),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Cadence"),
      h("dd", {}, CADENCE_TEXT[commitment.cadence]),
      h("dt", {}, "Next due"),
      h("dd", {}, nextDueText(commitment)),
      h("dt", {}, "Kept in a row"),
      h("dd", {}, streak),
      h("dt", {}, "Paid this month"),
      h("dd", {}, paid),
      h("dt", {}, "Established"),
      h("dd", {}, commitment.established ? "Yes" : "Not yet (needs 3 months)"),
    ),
    historyStrip(commitment.history24, month),
  );
}
