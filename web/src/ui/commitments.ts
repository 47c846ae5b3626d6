import { type ApiClient, asProblem, type CommitmentPatch, type LiveCommitmentView } from "../api/client";
import { monthOf } from "../time";
import { CADENCE_TEXT, dateText, nextDueText } from "./commitment-facts";
import { announce, byId, h } from "./dom";
import { historyLegend, historyStrip } from "./history-strip";
import { MonthEvidencePanel } from "./month-evidence";
import { NETWORK_FAILURE, ProblemDisplay } from "./problems";

const STATUS_TEXT: Readonly<Record<LiveCommitmentView["status"], string>> = {
  kept: "Kept",
  lapsed: "Lapsed",
  ended: "Ended",
};

/** What a correction did, said to screen readers once the list shows it. */
type Done = (now: LiveCommitmentView) => string;

/** The API's answer to a correction: the commitment as it now stands, or a problem. */
type Answer = { data?: LiveCommitmentView; error?: unknown; response: Response };

/**
 * The commitments screen: the customer's commitments as they stand now (computed by the API on
 * read), each with its corrections: rename, keep out of (or put back into) the credit-file export,
 * merge into another commitment of the same currency. What is wrong with a correction is the API's
 * answer, shown next to the field it names.
 *
 * The screen builds its own section and navigation link (`section`, `navItem`), for the page to
 * place.
 */
export class CommitmentsScreen {
  readonly section: HTMLElement;
  readonly navItem: HTMLLIElement;
  private readonly list = h("ul", {
    id: "commitment-list",
    class: "commitments live-commitments",
    "aria-labelledby": "commitments-heading",
  });
  private readonly empty = h(
    "p",
    { id: "commitments-empty", class: "notice", hidden: "" },
    "You have no commitments yet. They appear here as soon as you submit payments.",
  );
  private readonly alert = h("div", { id: "commitments-error", class: "problem", role: "alert", hidden: "" });
  private readonly problems = new ProblemDisplay(this.alert, {});
  private readonly stripHint = h(
    "p",
    { class: "hint", hidden: "" },
    "Choose a month of a history strip to see its due dates, the payments that count for them " +
      "and why the month reads as it does.",
  );
  private shown: LiveCommitmentView[] = [];
  /** The month a strip's cell opens (the evidence behind it), one dialog for the screen. */
  private readonly evidence: MonthEvidencePanel;

  constructor(private readonly api: ApiClient) {
    this.evidence = new MonthEvidencePanel(api);
    this.navItem = h("li", {}, h("a", { href: "#commitments", id: "nav-commitments" }, "Commitments"));
    this.section = h(
      "section",
      { id: "commitments-view", "aria-labelledby": "commitments-heading", hidden: "" },
      h("h1", { id: "commitments-heading", tabindex: "-1" }, "Commitments"),
      h(
        "p",
        {},
        "The recurring payments found in your last 24 months of payments, as they stand today. " +
          "Give one a name you recognise, keep one out of what is shared with your credit file, " +
          "or merge two that are the same commitment under different names.",
      ),
      this.alert,
      this.empty,
      historyLegend(),
      this.stripHint,
      this.list,
      this.evidence.element,
    );
  }

  /** Load the commitments (each time the screen is shown: payments may have changed them). */
  async open(): Promise<void> {
    await this.load();
  }

  /** Forget everything shown (on sign-out). */
  clear(): void {
    this.shown = [];
    this.evidence.clear();
    this.list.replaceChildren();
    this.problems.clear();
    this.empty.hidden = true;
    this.stripHint.hidden = true;
  }

  /** GET /commitments and show them; false when they could not be read (the problem is shown). */
  private async load(): Promise<boolean> {
    this.problems.clear();
    this.list.setAttribute("aria-busy", "true");
    try {
      const { data, error, response } = await this.api.GET("/commitments");
      if (data === undefined) {
        this.problems.show(asProblem(error, response));
        return false;
      }
      this.shown = data.commitments;
      this.evidence.forget(); // a payment or a correction may have changed the months
      const month = monthOf(new Date());
      this.list.replaceChildren(...this.shown.map((commitment) => this.item(commitment, month)));
      this.empty.hidden = this.shown.length > 0;
      this.stripHint.hidden = this.shown.length === 0;
      return true;
    } catch {
      this.problems.showMessage(NETWORK_FAILURE);
      return false;
    } finally {
      this.list.removeAttribute("aria-busy");
    }
  }

  private item(commitment: LiveCommitmentView, month: string): HTMLLIElement {
    const id = commitment.commitmentId;
    const headingId = `commitment-${id}-name`;
    const alert = h("div", { id: `commitment-${id}-error`, class: "problem", role: "alert", hidden: "" });
    const problems = new ProblemDisplay(alert, { name: `rename-${id}`, into: `merge-${id}` });
    return h(
      "li",
      {
        class: `commitment live ${commitment.status}${commitment.excluded ? " excluded" : ""}`,
        "data-commitment-id": id,
      },
      h(
        "h2",
        { id: headingId, tabindex: "-1" },
        commitment.name,
        " ",
        h("span", { class: `badge status-${commitment.status}` }, STATUS_TEXT[commitment.status]),
        commitment.excluded ? " " : null,
        commitment.excluded ? h("span", { class: "excluded-tag" }, "Excluded from export") : null,
      ),
      facts(commitment),
      historyStrip(commitment.history24, month, (cellMonth, mark, opener) => {
        void this.evidence.open(commitment, cellMonth, mark, month, opener);
      }),
      alert,
      h(
        "div",
        { class: "commitment-actions" },
        this.renameForm(commitment, problems),
        this.exclusionButton(commitment, problems),
        this.mergeForm(commitment, problems),
      ),
    );
  }

  private renameForm(commitment: LiveCommitmentView, problems: ProblemDisplay): HTMLFormElement {
    const inputId = `rename-${commitment.commitmentId}`;
    const input = h("input", {
      id: inputId,
      name: "name",
      type: "text",
      autocomplete: "off",
      "aria-describedby": `${inputId}-error`,
    });
    input.value = commitment.name;
    const form = inlineForm(
      "rename",
      "Name",
      input,
      h("button", { type: "submit", "aria-label": `Save name of ${commitment.name}` }, "Save name"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.correct(
        commitment,
        problems,
        () => this.patch(commitment, { name: input.value }),
        (now) => `Renamed ${commitment.name} to ${now.name}.`,
      );
    });
    return form;
  }

  private exclusionButton(commitment: LiveCommitmentView, problems: ProblemDisplay): HTMLElement {
    const exclude = !commitment.excluded;
    const text = exclude ? "Exclude from export" : "Include in export";
    const button = h(
      "button",
      { type: "button", class: "exclusion", "aria-label": `${text}: ${commitment.name}` },
      text,
    );
    button.addEventListener("click", () => {
      void this.correct(
        commitment,
        problems,
        () => this.patch(commitment, { excluded: exclude }),
        (now) =>
          now.excluded
            ? `${now.name} is kept out of your credit-file export from the next cut-off.`
            : `${now.name} is in your credit-file export again from the next cut-off.`,
      );
    });
    return h(
      "div",
      { class: "field exclusion-field" },
      h(
        "p",
        { class: "hint" },
        commitment.excluded
          ? "Kept out of your credit-file export."
          : "Included in your credit-file export (while you agree to share, once it is kept " +
            "and established).",
      ),
      button,
    );
  }

  private mergeForm(commitment: LiveCommitmentView, problems: ProblemDisplay): HTMLElement | null {
    const others = this.shown.filter(
      (other) =>
        other.commitmentId !== commitment.commitmentId && other.currency === commitment.currency,
    );
    if (others.length === 0) {
      return null; // nothing to merge with: only commitments of one currency can be merged
    }
    const selectId = `merge-${commitment.commitmentId}`;
    const select = h(
      "select",
      { id: selectId, name: "into", "aria-describedby": `${selectId}-error` },
      h("option", { value: "" }, "Choose a commitment…"),
      ...others.map((other) =>
        h(
          "option",
          { value: other.commitmentId },
          `${other.name} (${other.currentAmount} ${other.currency}, ${CADENCE_TEXT[other.cadence].toLowerCase()})`,
        ),
      ),
    );
    const form = inlineForm(
      "merge",
      "Merge into",
      select,
      h("button", { type: "submit", "aria-label": `Merge ${commitment.name}` }, "Merge"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const target = others.find((other) => other.commitmentId === select.value);
      const question = target === undefined
        ? null
        : `Merge “${commitment.name}” into “${target.name}”? Their payments become one ` +
          "commitment, with one history. A merge cannot be undone.";
      if (question !== null && !window.confirm(question)) {
        return;
      }
      void this.correct(
        commitment,
        problems,
        () =>
          this.api.POST("/commitments/{commitmentId}/merge", {
            params: { path: { commitmentId: commitment.commitmentId } },
            body: { into: select.value },
          }),
        (now) => `Merged ${commitment.name} into ${now.name}.`,
      );
    });
    return form;
  }

  /** PATCH /commitments/{commitmentId}: a new name, or kept out of (or put back into) the export. */
  private patch(commitment: LiveCommitmentView, body: CommitmentPatch): Promise<Answer> {
    return this.api.PATCH("/commitments/{commitmentId}", {
      params: { path: { commitmentId: commitment.commitmentId } },
      body,
    });
  }

  /**
   * Send one correction; on success reload the list (a rename may reorder it, a merge removes a
   * row), focus the commitment as it now stands and announce what was done. A refusal stays on the
   * commitment's row, next to the field the API names.
   */
  private async correct(
    commitment: LiveCommitmentView,
    problems: ProblemDisplay,
    send: () => Promise<Answer>,
    done: Done,
  ): Promise<void> {
    problems.clear();
    const row = this.list.querySelector<HTMLElement>(`[data-commitment-id="${commitment.commitmentId}"]`);
    const controls = [...(row?.querySelectorAll<HTMLButtonElement>("button") ?? [])];
    for (const control of controls) {
      control.disabled = true;
    }
    let answer: LiveCommitmentView;
    try {
      const { data, error, response } = await send();
      if (data === undefined) {
        problems.show(asProblem(error, response));
        return;
      }
      answer = data;
    } catch {
      problems.showMessage(NETWORK_FAILURE);
      return;
    } finally {
      for (const control of controls) {
        control.disabled = false;
      }
    }
    if (await this.load()) {
      byId(`commitment-${answer.commitmentId}-name`).focus();
    }
    announce(done(answer));
  }
}

/**
 * A row's form of one field: the labelled control, the paragraph a refusal of it is shown in
 * (`<control id>-error`, where ProblemDisplay looks) and the submit button.
 */
function inlineForm(
  kind: string,
  label: string,
  control: HTMLInputElement | HTMLSelectElement,
  button: HTMLButtonElement,
): HTMLFormElement {
  return h(
    "form",
    { class: `inline-form ${kind}`, novalidate: "" },
    h(
      "div",
      { class: "field" },
      h("label", { for: control.id }, label),
      control,
      h("p", { id: `${control.id}-error`, class: "field-error", hidden: "" }),
    ),
    button,
  );
}

function facts(commitment: LiveCommitmentView): HTMLElement {
  const amount = `${commitment.currentAmount} ${commitment.currency}`;
  const streak = commitment.monthsKept === 1 ? "1 month" : `${commitment.monthsKept} months`;
  const merged = commitment.mergedFrom.length;
  return h(
    "dl",
    { class: "facts" },
    h("dt", {}, "Cadence"),
    h("dd", {}, CADENCE_TEXT[commitment.cadence]),
    h("dt", {}, "Amount"),
    h("dd", {}, amount),
    h("dt", {}, "Previous amount"),
    h(
      "dd",
      {},
      commitment.previousAmount === null
        ? "No change"
        : `${commitment.previousAmount} ${commitment.currency}`,
    ),
    h("dt", {}, "Next due"),
    h("dd", {}, nextDueText(commitment)),
    h("dt", {}, "Paid"),
    h("dd", {}, dateText(commitment.firstPaid), " to ", dateText(commitment.lastPaid)),
    h("dt", {}, "Kept in a row"),
    h("dd", {}, streak),
    h("dt", {}, "Established"),
    h("dd", {}, commitment.established ? "Yes" : "Not yet"),
    h("dt", {}, "Confidence"),
    h("dd", {}, `${Math.round(commitment.confidence * 100)}%`),
    h("dt", {}, "Credit-file export"),
    h("dd", {}, commitment.excluded ? "Excluded" : "Included"),
    merged > 0 ? h("dt", {}, "Merged") : null,
    merged > 0
      ? h("dd", {}, merged === 1 ? "1 other commitment merged in" : `${merged} others merged in`)
      : null,
  );
}
