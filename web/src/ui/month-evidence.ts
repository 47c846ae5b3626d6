import { type ApiClient, asProblem, type Problem } from "../api/client";
import type { components } from "../api/schema";
import { monthName } from "../time";
import { h } from "./dom";
import { MARK_LABELS, type MonthMark } from "./history-strip";
import { NETWORK_FAILURE, ProblemDisplay } from "./problems";
import "./month-evidence.css";

type MonthsView = components["schemas"]["CommitmentMonthsView"];
type MonthView = components["schemas"]["MonthView"];
type DueDateView = components["schemas"]["DueDateView"];
type EvidencePayment = components["schemas"]["EvidencePaymentView"];

const STATUS_TEXT: Readonly<Record<MonthView["status"], string>> = {
  current: "Current",
  notCurrent: "Not current",
  ended: "Ended",
  notSeen: "Not seen yet",
};
const OUTCOME_TEXT: Readonly<Record<DueDateView["outcome"], string>> = {
  paid: "Paid",
  missed: "Missed",
  pending: "Pending",
};

/** The commitment a month belongs to, as the commitments screen shows it. */
export interface MonthSubject {
  commitmentId: string;
  name: string;
}

/** One answer of GET /commitments/{commitmentId}/months: the months, or why there are none. */
type Answer = { months: MonthsView } | { problem: Problem } | { failed: true };

/**
 * The evidence behind one month of a commitment's strip, in a modal dialog: the month's status and
 * why it reads so, each due date with its outcome, why, and the payments that count for it (date as
 * submitted, amount, currency). GET /commitments/{commitmentId}/months is read once per commitment
 * (until `forget`); the sentences are the API's, shown as text.
 *
 * The months it covers end with the month before the current one: the current month is still
 * open, and the dialog says so instead.
 */
export class MonthEvidencePanel {
  readonly element: HTMLDialogElement;
  private readonly heading = h("h2", { id: "month-evidence-heading" });
  private readonly body = h("div", { class: "month-evidence-body", "aria-live": "polite" });
  private readonly alert = h("div", { id: "month-evidence-error", class: "problem", role: "alert", hidden: "" });
  private readonly problems = new ProblemDisplay(this.alert, {});
  private readonly cache = new Map<string, Promise<Answer>>();
  private opener: HTMLElement | null = null;
  /** Counts the months opened, so a late answer does not fill in a month opened since. */
  private opened = 0;

  constructor(private readonly api: ApiClient) {
    const close = h("button", { type: "button", class: "month-evidence-close" }, "Close");
    close.addEventListener("click", () => {
      this.element.close();
    });
    this.element = h(
      "dialog",
      { id: "month-evidence", class: "month-evidence", "aria-labelledby": "month-evidence-heading" },
      h("div", { class: "month-evidence-top" }, this.heading, close),
      this.alert,
      this.body,
    );
    // Escape closes a modal dialog by itself; either way, focus goes back to the month's cell.
    this.element.addEventListener("close", () => {
      this.opened += 1;
      const opener = this.opener;
      this.opener = null;
      if (opener?.isConnected) {
        opener.focus();
      }
    });
  }

  /** Read the months again when next opened (the payments or corrections may have changed). */
  forget(): void {
    this.cache.clear();
  }

  /** Close the dialog and forget everything (on sign-out). */
  clear(): void {
    this.opener = null;
    if (this.element.open) {
      this.element.close();
    }
    this.forget();
    this.heading.textContent = "";
    this.body.replaceChildren();
    this.problems.clear();
  }

  /**
   * Open `month` of `subject`, whose strip marks it `mark`; `currentMonth` is the strip's newest
   * (still open) month, `opener` the cell that gets the focus back.
   */
  async open(
    subject: MonthSubject,
    month: string,
    mark: MonthMark,
    currentMonth: string,
    opener: HTMLElement,
  ): Promise<void> {
    this.opened += 1;
    const ticket = this.opened;
    this.opener = opener;
    this.heading.textContent = `${subject.name}: ${monthName(month)}`;
    this.problems.clear();
    if (month >= currentMonth) {
      this.body.replaceChildren(...openMonth(month, mark));
      this.show();
      return;
    }
    this.body.replaceChildren(h("p", { class: "hint" }, "Reading the month…"));
    this.body.setAttribute("aria-busy", "true");
    this.show();
    const answer = await this.months(subject.commitmentId);
    if (ticket !== this.opened) {
      return; // closed, or another month opened, while it was read
    }
    this.body.removeAttribute("aria-busy");
    if ("problem" in answer) {
      this.body.replaceChildren();
      this.problems.show(answer.problem);
    } else if ("failed" in answer) {
      this.body.replaceChildren();
      this.problems.showMessage(NETWORK_FAILURE);
    } else {
      const found = answer.months.months.find((item) => item.month === month);
      this.body.replaceChildren(
        ...(found === undefined ? outside(month, answer.months.months) : monthContent(found)),
      );
    }
  }

  private show(): void {
    if (!this.element.open) {
      this.element.showModal();
    }
  }

  /** The months of a commitment, read once; a failure is not kept, so opening again retries. */
  private months(commitmentId: string): Promise<Answer> {
    const known = this.cache.get(commitmentId);
    if (known !== undefined) {
      return known;
    }
    const reading = this.read(commitmentId);
    this.cache.set(commitmentId, reading);
    void reading.then((answer) => {
      if (!("months" in answer) && this.cache.get(commitmentId) === reading) {
        this.cache.delete(commitmentId);
      }
    });
    return reading;
  }

  private async read(commitmentId: string): Promise<Answer> {
    try {
      const { data, error, response } = await this.api.GET("/commitments/{commitmentId}/months", {
        params: { path: { commitmentId } },
      });
      return data === undefined ? { problem: asProblem(error, response) } : { months: data };
    } catch {
      return { failed: true };
    }
  }
}

/** The current month: not built yet. */
function openMonth(month: string, mark: MonthMark): Node[] {
  return [
    h(
      "p",
      { class: "month-open" },
      `${monthName(month)} is still open: its evidence is built after it ends. `,
      `So far the strip shows it as ${MARK_LABELS[mark]}.`,
    ),
  ];
}

/** A month the evidence does not cover (the browser's calendar is ahead of or behind the API's). */
function outside(month: string, months: MonthView[]): Node[] {
  const newest = months[0]?.month ?? month;
  const oldest = months[months.length - 1]?.month ?? month;
  const text = month > newest
    ? `${monthName(month)} is still open: its evidence is built after it ends.`
    : `The evidence covers ${monthName(oldest)} to ${monthName(newest)}; ${monthName(month)} is not in it.`;
  return [h("p", { class: "month-open" }, text)];
}

function monthContent(month: MonthView): Node[] {
  const nodes: Node[] = [
    h(
      "p",
      { class: "month-status" },
      "Status: ",
      h("span", { class: `badge month-${month.status}` }, STATUS_TEXT[month.status]),
    ),
    h("p", { class: "month-why" }, sentence(month.why)),
  ];
  if (month.dueDates.length > 0) {
    nodes.push(
      h("h3", {}, month.dueDates.length === 1 ? "Due date" : "Due dates"),
      h("ul", { class: "due-dates" }, ...month.dueDates.map(dueDate)),
    );
  } else if (month.payments.length > 0) {
    nodes.push(h("h3", {}, "Payments that count for the month"), payments(month.payments));
  }
  return nodes;
}

function dueDate(due: DueDateView): HTMLLIElement {
  return h(
    "li",
    { class: `due-date ${due.outcome}` },
    h(
      "p",
      { class: "due-head" },
      "Due ",
      h("time", { datetime: due.dueDate }, due.dueDate),
      " ",
      h("span", { class: `badge outcome-${due.outcome}` }, OUTCOME_TEXT[due.outcome]),
    ),
    h("p", { class: "due-why" }, sentence(due.why)),
    due.payments.length > 0
      ? payments(due.payments)
      : h("p", { class: "hint" }, "No payment counts for it."),
  );
}

function payments(list: EvidencePayment[]): HTMLUListElement {
  return h(
    "ul",
    { class: "evidence-payments", "aria-label": "Payments" },
    ...list.map((payment) => {
      const day = /^\d{4}-\d{2}-\d{2}/.exec(payment.timestamp)?.[0] ?? payment.timestamp;
      return h(
        "li",
        { class: "evidence-payment", "data-payment-id": payment.paymentId },
        "Paid ",
        h("time", { datetime: day }, day),
        ": ",
        h("span", { class: "evidence-amount" }, `${payment.amount} ${payment.currency}`),
      );
    }),
  );
}

/** "nothing paid by 2026-02-11, …" → "Nothing paid by 2026-02-11, ….": the API's words, as a sentence. */
function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
