import type { FieldProblem, Problem } from "../api/client";
import { byId, h } from "./dom";

/**
 * Shows problem+json errors where they belong: each `errors` entry next to the form field of the
 * same name, the rest (and the problem's detail) in the form's alert. The page has no rules of its
 * own: what is wrong, and why, is the API's answer.
 */
export class ProblemDisplay {
  private readonly shown = new Set<string>();

  /** `fields`: API field name → id of its input (the error element is `<id>-error`). */
  constructor(
    private readonly alert: HTMLElement,
    private readonly fields: Readonly<Record<string, string>>,
  ) {}

  clear(): void {
    for (const inputId of this.shown) {
      const input = byId(inputId);
      input.removeAttribute("aria-invalid");
      const error = byId(`${inputId}-error`);
      error.textContent = "";
      error.hidden = true;
    }
    this.shown.clear();
    this.alert.replaceChildren();
    this.alert.hidden = true;
  }

  /** Show `problem`; focus the first field it names (or the alert). */
  show(problem: Problem): void {
    this.clear();
    const elsewhere: FieldProblem[] = [];
    for (const fieldProblem of problem.errors ?? []) {
      const inputId = this.fields[fieldProblem.field];
      if (inputId === undefined) {
        elsewhere.push(fieldProblem);
        continue;
      }
      const error = byId(`${inputId}-error`);
      const line = h("span", {}, sentence(fieldProblem.message));
      if (this.shown.has(inputId)) {
        error.append(" ", line);
      } else {
        error.replaceChildren(line);
      }
      error.hidden = false;
      byId(inputId).setAttribute("aria-invalid", "true");
      this.shown.add(inputId);
    }
    const fieldErrors = (problem.errors ?? []).length - elsewhere.length;
    this.alert.append(
      h(
        "p",
        {},
        fieldErrors > 0
          ? `${problem.title}: please correct the ${fieldErrors === 1 ? "field" : "fields"} marked below.`
          : `${problem.title}: ${problem.detail}`,
      ),
    );
    if (elsewhere.length > 0) {
      this.alert.append(
        h("ul", {}, ...elsewhere.map((item) => h("li", {}, `${item.field}: ${item.message}`))),
      );
    }
    if (problem.instance) {
      this.alert.append(h("p", { class: "hint" }, `Reference: ${problem.instance}`));
    }
    this.alert.hidden = false;
    const first = [...this.shown][0];
    if (first !== undefined) {
      byId(first).focus();
    }
  }

  /** Show a failure that is not a problem+json answer (the network, CORS). */
  showMessage(message: string): void {
    this.clear();
    this.alert.append(h("p", {}, message));
    this.alert.hidden = false;
  }
}

/** "must be greater than zero" → "Must be greater than zero." */
function sentence(message: string): string {
  const trimmed = message.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export const NETWORK_FAILURE =
  "Could not reach the payments service. Check your connection and try again.";
