import {
  type ApiClient,
  asProblem,
  type CurrencyCode,
  type PaymentSubmission,
  type PaymentView,
} from "../api/client";
import { currencyCodeValues } from "../api/schema";
import type { Session } from "../auth";
import {
  addMonths,
  browserOffsetLabel,
  describeTimestamp,
  monthName,
  monthOf,
  toLocalInputValue,
  withBrowserOffset,
} from "../time";
import { announce, byId, h } from "./dom";
import { NETWORK_FAILURE, ProblemDisplay } from "./problems";

const PAGE_SIZE = 10;
const DEFAULT_CURRENCY: CurrencyCode = "GBP";

/** The payments screen: submit a payment; list a month's payments page by page; void one. */
export class PaymentsScreen {
  private readonly form = byId<HTMLFormElement>("payment-form");
  private readonly description = byId<HTMLInputElement>("description");
  private readonly amount = byId<HTMLInputElement>("amount");
  private readonly currency = byId<HTMLSelectElement>("currency");
  private readonly timestamp = byId<HTMLInputElement>("timestamp");
  private readonly listMonth = byId<HTMLInputElement>("list-month");
  private readonly list = byId<HTMLUListElement>("payment-list");
  private readonly more = byId<HTMLButtonElement>("list-more");
  private readonly empty = byId("list-empty");
  private readonly submitProblems = new ProblemDisplay(byId("payment-form-error"), {
    description: "description",
    amount: "amount",
    currency: "currency",
    timestamp: "timestamp",
  });
  private readonly listProblems = new ProblemDisplay(byId("list-error"), { month: "list-month" });
  /** Kept until a submission is stored, so a retry after a network failure is idempotent. */
  private paymentId = crypto.randomUUID();
  private nextCursor: string | null = null;
  private shownMonth = "";

  constructor(
    private readonly api: ApiClient,
    private readonly session: () => Session | null,
  ) {
    for (const code of currencyCodeValues) {
      this.currency.append(h("option", { value: code }, code));
    }
    this.currency.value = DEFAULT_CURRENCY;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    byId<HTMLFormElement>("list-form").addEventListener("submit", (event) => {
      event.preventDefault();
      void this.showMonth(this.listMonth.value);
    });
    byId("list-previous-month").addEventListener("click", () => {
      void this.showMonth(addMonths(this.listMonth.value, -1));
    });
    byId("list-next-month").addEventListener("click", () => {
      void this.showMonth(addMonths(this.listMonth.value, 1));
    });
    this.more.addEventListener("click", () => {
      void this.loadPage(true);
    });
  }

  /** Fresh form and this month's payments (after sign-in). */
  async open(): Promise<void> {
    this.resetForm();
    await this.showMonth(monthOf(new Date()));
  }

  /** Forget everything shown (on sign-out). */
  clear(): void {
    this.resetForm();
    this.list.replaceChildren();
    this.listProblems.clear();
    this.more.hidden = true;
    this.empty.hidden = true;
  }

  private resetForm(): void {
    this.form.reset();
    this.currency.value = DEFAULT_CURRENCY;
    const now = new Date();
    this.timestamp.value = toLocalInputValue(now);
    byId("timestamp-hint").textContent =
      `In your browser's time zone (now ${browserOffsetLabel(now)}); it is sent with its UTC offset.`;
    this.submitProblems.clear();
    this.paymentId = crypto.randomUUID();
  }

  private async submit(): Promise<void> {
    const session = this.session();
    if (session === null) {
      return;
    }
    const body: PaymentSubmission = {
      paymentId: this.paymentId,
      userId: session.userId,
      timestamp: withBrowserOffset(this.timestamp.value),
      description: this.description.value,
      currency: this.currency.value as CurrencyCode,
      amount: this.amount.value,
    };
    this.submitProblems.clear();
    try {
      const { data, error, response } = await this.api.POST("/payments", { body });
      if (data === undefined) {
        this.submitProblems.show(asProblem(error, response));
        return;
      }
      announce(`Payment saved: ${data.description}, ${data.amount} ${data.currency}.`);
      this.resetForm();
      this.description.focus();
      await this.showMonth(data.month);
    } catch {
      this.submitProblems.showMessage(NETWORK_FAILURE);
    }
  }

  /** Show the first page of `month` (YYYY-MM as typed: the API judges it). */
  async showMonth(month: string): Promise<void> {
    this.listMonth.value = month;
    this.shownMonth = month;
    this.nextCursor = null;
    await this.loadPage(false);
  }

  private async loadPage(append: boolean): Promise<void> {
    this.listProblems.clear();
    const query = append && this.nextCursor !== null
      ? { month: this.shownMonth, cursor: this.nextCursor, limit: PAGE_SIZE }
      : { month: this.shownMonth, limit: PAGE_SIZE };
    try {
      const { data, error, response } = await this.api.GET("/payments", { params: { query } });
      if (data === undefined) {
        this.list.replaceChildren();
        this.more.hidden = true;
        this.listProblems.show(asProblem(error, response));
        return;
      }
      const items = data.items.map((payment) => this.paymentItem(payment));
      if (append) {
        this.list.append(...items);
        items[0]?.querySelector<HTMLElement>(".payment-title")?.focus();
      } else {
        this.list.replaceChildren(...items);
      }
      this.nextCursor = data.nextCursor ?? null;
      this.more.hidden = this.nextCursor === null;
      this.empty.hidden = this.list.childElementCount > 0;
      byId("list-heading").textContent = `Your payments in ${monthName(this.shownMonth)}`;
    } catch {
      this.listProblems.showMessage(NETWORK_FAILURE);
    }
  }

  private paymentItem(payment: PaymentView): HTMLLIElement {
    const voided = payment.status === "voided";
    const item = h(
      "li",
      { class: voided ? "payment voided" : "payment", "data-payment-id": payment.paymentId },
      h("p", { class: "payment-title", tabindex: "-1" }, payment.description),
      h("p", { class: "payment-amount" }, `${payment.amount} ${payment.currency}`),
      h("p", { class: "payment-time" }, describeTimestamp(payment.timestamp)),
      voided ? h("p", { class: "badge" }, "Voided") : null,
      voided && payment.voidReason ? h("p", { class: "void-reason" }, payment.voidReason) : null,
    );
    if (!voided) {
      const button = h(
        "button",
        {
          type: "button",
          class: "void",
          "aria-label": `Void ${payment.description}, ${payment.amount} ${payment.currency}`,
        },
        "Void",
      );
      button.addEventListener("click", () => {
        void this.voidPayment(payment, item);
      });
      item.append(button);
    }
    return item;
  }

  private async voidPayment(payment: PaymentView, item: HTMLLIElement): Promise<void> {
    const question = `Void “${payment.description}” (${payment.amount} ${payment.currency})? It will no longer count in your reports.`;
    if (!window.confirm(question)) {
      return;
    }
    this.listProblems.clear();
    try {
      // Voiding is an action on a payment that stays (POST …/void); the reason is optional.
      const { data, error, response } = await this.api.POST("/payments/{paymentId}/void", {
        params: { path: { paymentId: payment.paymentId } },
      });
      if (data === undefined) {
        this.listProblems.show(asProblem(error, response));
        return;
      }
      const replacement = this.paymentItem(data);
      item.replaceWith(replacement);
      replacement.querySelector<HTMLElement>(".payment-title")?.focus();
      announce(`Voided ${data.description}.`);
    } catch {
      this.listProblems.showMessage(NETWORK_FAILURE);
    }
  }
}
