/** Dates as the API wants them: RFC 3339 with the browser's own UTC offset, months as YYYY-MM. */

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

/** "+01:00" for a UTC offset of `minutesEast` minutes. */
export function formatOffset(minutesEast: number): string {
  const sign = minutesEast < 0 ? "-" : "+";
  const absolute = Math.abs(minutesEast);
  return `${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

/** The value of a datetime-local input for `date` in the browser's time zone, to the second. */
export function toLocalInputValue(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/**
 * A datetime-local value ("2026-01-15T12:00" or with seconds) as RFC 3339 with the browser's offset
 * at that moment; anything else is passed on as typed, for the API to judge.
 */
export function withBrowserOffset(localValue: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/.exec(localValue);
  if (match === null) {
    return localValue;
  }
  const [, year, month, day, hour, minute, second = "00", fraction = ""] = match;
  const local = new Date(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
  const offset = formatOffset(-local.getTimezoneOffset());
  return `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${offset}`;
}

/** The browser's current UTC offset, e.g. "UTC+01:00". */
export function browserOffsetLabel(now: Date = new Date()): string {
  return `UTC${formatOffset(-now.getTimezoneOffset())}`;
}

/** "YYYY-MM" of `date` in the browser's time zone. */
export function monthOf(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}`;
}

/** The month `delta` months after "YYYY-MM" (negative: before); the input if it is not a month. */
export function addMonths(month: string, delta: number): string {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (match === null) {
    return month;
  }
  const index = Number(match[1]) * 12 + (Number(match[2]) - 1) + delta;
  return `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1)}`;
}

/** "January 2026" for "2026-01" (the page's language), or the input if it is not a month. */
export function monthName(month: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (match === null) {
    return month;
  }
  const date = new Date(Number(match[1]), Number(match[2]) - 1, 1);
  return date.toLocaleDateString(undefined, { month: "long", year: "numeric" });
}

/** A submitted timestamp for people: its own wall-clock date and time, with its offset. */
export function describeTimestamp(timestamp: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2})/.exec(timestamp);
  if (match === null) {
    return timestamp;
  }
  const offset = /([Zz]|[+-]\d{2}:\d{2})$/.exec(timestamp)?.[1] ?? "";
  const zone = offset.toUpperCase() === "Z" ? "UTC" : `UTC${offset}`;
  return `${match[1]} ${match[2]} (${zone})`;
}
