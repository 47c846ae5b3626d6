import { addMonths } from "../time";
import { h, svg } from "./dom";
import "./history-strip.css";

/**
 * One month of a commitment's history, as `history24` encodes it: `1` paid (current), `0` not
 * paid (a due date missed), `.` after the commitment ended, `-` before it was first seen.
 */
export type MonthMark = "paid" | "missed" | "ended" | "unseen";

const MARKS: Readonly<Record<string, MonthMark>> = {
  "1": "paid",
  "0": "missed",
  ".": "ended",
  "-": "unseen",
};
/** The word for each mark, as the strip's cells and the legend say it. */
export const MARK_LABELS: Readonly<Record<MonthMark, string>> = {
  paid: "paid",
  missed: "not paid",
  ended: "ended",
  unseen: "before first seen",
};

const CELL = 14;
const GAP = 3;

/** The 24 months of `history24` (newest first) as [month, mark], oldest first. */
export function historyMonths(history24: string, month: string): [string, MonthMark][] {
  const months: [string, MonthMark][] = [];
  [...history24].forEach((character, age) => {
    months.push([addMonths(month, -age), MARKS[character] ?? "unseen"]);
  });
  return months.reverse();
}

/** A sentence for screen readers: how many months were paid, and which; when it ended. */
export function describeHistory(months: [string, MonthMark][], month: string): string {
  const paid = months.filter(([, mark]) => mark === "paid").map(([paidMonth]) => paidMonth);
  const first = months.find(([, mark]) => mark !== "unseen")?.[0];
  // The months after the end are the newest ones: the first of them is when it ended.
  const ended = months.find(([, mark]) => mark === "ended")?.[0];
  const parts = [`Paid in ${paid.length} of the 24 months up to ${month}`];
  if (paid.length > 0) {
    parts.push(`paid: ${paid.join(", ")}`);
  }
  if (first !== undefined) {
    parts.push(`first seen ${first}`);
  }
  if (ended !== undefined) {
    parts.push(`ended from ${ended}`);
  }
  return `${parts.join("; ")}.`;
}

function cell(mark: MonthMark, x: number, y: number): SVGElement {
  // Shape as well as colour tells the marks apart (filled, outlined with a cross, shaded with a
  // bar across, dotted).
  const group = svg("g", { class: `cell ${mark}` });
  group.append(svg("rect", { x: String(x), y: String(y), width: String(CELL), height: String(CELL), rx: "2" }));
  if (mark === "missed") {
    const [a, b] = [x + 4, x + CELL - 4];
    const [top, bottom] = [y + 4, y + CELL - 4];
    group.append(
      svg("path", { d: `M${a} ${top}L${b} ${bottom}M${b} ${top}L${a} ${bottom}`, class: "cross" }),
    );
  } else if (mark === "ended") {
    const middle = y + CELL / 2;
    group.append(svg("path", { d: `M${x + 3} ${middle}H${x + CELL - 3}`, class: "bar" }));
  }
  return group;
}

/** What a strip does when one of its months is chosen: `opener` is the cell's button. */
export type OpenMonth = (month: string, mark: MonthMark, opener: HTMLButtonElement) => void;

/**
 * The strip: 24 cells, oldest on the left, one `<title>` per month for pointer users. With
 * `openMonth`, each cell is a button (named by its month and mark) that opens the month; without,
 * the strip is one picture.
 */
export function historyStrip(history24: string, month: string, openMonth?: OpenMonth): HTMLElement {
  const months = historyMonths(history24, month);
  const label = `Payment history: ${describeHistory(months, month)}`;
  const first = months[0]?.[0] ?? "";
  return h(
    "figure",
    { class: "history" },
    openMonth === undefined ? picture(months, label) : cellButtons(months, label, openMonth),
    h(
      "figcaption",
      { class: "history-axis", "aria-hidden": "true" },
      h("span", {}, first),
      h("span", {}, month),
    ),
  );
}

function picture(months: [string, MonthMark][], label: string): SVGElement {
  const width = months.length * (CELL + GAP) - GAP;
  const drawing = svg("svg", {
    class: "history-strip",
    viewBox: `0 0 ${width} ${CELL}`,
    width: String(width),
    height: String(CELL),
    role: "img",
    "aria-label": label,
    preserveAspectRatio: "xMinYMid meet",
  });
  months.forEach(([cellMonth, mark], index) => {
    const group = cell(mark, index * (CELL + GAP), 0);
    group.prepend(svg("title", {}, `${cellMonth}: ${MARK_LABELS[mark]}`));
    drawing.append(group);
  });
  return drawing;
}

/** The strip as a group of 24 buttons, each drawing its cell; the group says what the picture says. */
function cellButtons(months: [string, MonthMark][], label: string, openMonth: OpenMonth): HTMLElement {
  const buttons = months.map(([cellMonth, mark]) => {
    const name = `${cellMonth}: ${MARK_LABELS[mark]}`;
    const drawing = svg("svg", {
      viewBox: `0 0 ${CELL} ${CELL}`,
      width: String(CELL),
      height: String(CELL),
      "aria-hidden": "true",
      focusable: "false",
    });
    const group = cell(mark, 0, 0);
    group.prepend(svg("title", {}, name));
    drawing.append(group);
    const button = h(
      "button",
      { type: "button", class: "month-cell", "aria-label": name, "aria-haspopup": "dialog", "data-month": cellMonth },
      drawing,
    );
    button.addEventListener("click", () => {
      openMonth(cellMonth, mark, button);
    });
    return button;
  });
  return h(
    "div",
    { class: "history-strip history-cells", role: "group", "aria-label": `${label} Choose a month to see why.` },
    ...buttons,
  );
}

/** The legend of the four marks, drawn with the same shapes as the strip. */
export function historyLegend(): HTMLElement {
  const entries = (["paid", "missed", "ended", "unseen"] as const).map((mark) => {
    const swatch = svg("svg", {
      width: String(CELL),
      height: String(CELL),
      viewBox: `0 0 ${CELL} ${CELL}`,
      "aria-hidden": "true",
    });
    swatch.append(cell(mark, 0, 0));
    return h("li", {}, swatch, ` ${MARK_LABELS[mark]}`);
  });
  return h("ul", { class: "legend", "aria-label": "Key to the history strips" }, ...entries);
}
