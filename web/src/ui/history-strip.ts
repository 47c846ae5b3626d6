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
const LABELS: Readonly<Record<MonthMark, string>> = {
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

/** The strip: 24 cells, oldest on the left, one `<title>` per month for pointer users. */
export function historyStrip(history24: string, month: string): HTMLElement {
  const months = historyMonths(history24, month);
  const width = months.length * (CELL + GAP) - GAP;
  const picture = svg("svg", {
    class: "history-strip",
    viewBox: `0 0 ${width} ${CELL}`,
    width: String(width),
    height: String(CELL),
    role: "img",
    "aria-label": `Payment history: ${describeHistory(months, month)}`,
    preserveAspectRatio: "xMinYMid meet",
  });
  months.forEach(([cellMonth, mark], index) => {
    const group = cell(mark, index * (CELL + GAP), 0);
    group.prepend(svg("title", {}, `${cellMonth}: ${LABELS[mark]}`));
    picture.append(group);
  });
  const first = months[0]?.[0] ?? "";
  return h(
    "figure",
    { class: "history" },
    picture,
    h(
      "figcaption",
      { class: "history-axis", "aria-hidden": "true" },
      h("span", {}, first),
      h("span", {}, month),
    ),
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
    return h("li", {}, swatch, ` ${LABELS[mark]}`);
  });
  return h("ul", { class: "legend", "aria-label": "Key to the history strips" }, ...entries);
}
