import type { Cadence, LiveCommitmentView } from "../api/client";
import { h } from "./dom";
import "./commitments.css";

/** What the report and the commitments screen say about a commitment's cadence. */
export const CADENCE_TEXT: Readonly<Record<Cadence, string>> = {
  weekly: "Weekly",
  biweekly: "Every 2 weeks",
  fourWeekly: "Every 4 weeks",
  monthly: "Monthly",
  quarterly: "Quarterly",
  annual: "Yearly",
  unknown: "Not known yet",
};

/**
 * A calendar date of the API ("2026-04-03") for people, in a `<time>` element. Read as a date of
 * the calendar, not as midnight UTC, so no time zone moves it to the day before.
 */
export function dateText(date: string): HTMLTimeElement {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const shown = match === null
    ? date
    : new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])).toLocaleDateString(
        undefined,
        { day: "numeric", month: "long", year: "numeric" },
      );
  return h("time", { datetime: date }, shown);
}

/** The predicted next due date, or why there is none. */
export function nextDueText(
  commitment: Pick<LiveCommitmentView, "nextDue" | "cadence" | "status">,
): Node | string {
  if (commitment.nextDue !== null) {
    return dateText(commitment.nextDue);
  }
  if (commitment.status === "ended") {
    return "None (ended)";
  }
  return commitment.cadence === "unknown" ? "Not predicted yet (the cadence is not known)" : "None";
}
