/** Dates and times as a chat list shows them; locale from the browser. */

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

let relativeFormat: Intl.RelativeTimeFormat | undefined;

/** "now", "5m ago", "yesterday", "3w ago": short enough for a sidebar row. */
export function relativeTime(date: Date, now: number = Date.now()): string {
  relativeFormat ??= new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "narrow" });
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (Math.abs(seconds) < 45) return relativeFormat.format(0, "second");
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.trunc(seconds / size), unit);
  }
  return relativeFormat.format(Math.round(seconds / 60) || -1, "minute");
}

let timeFormat: Intl.DateTimeFormat | undefined;
let dateTimeFormat: Intl.DateTimeFormat | undefined;
let fullFormat: Intl.DateTimeFormat | undefined;

/** "14:05" today, "Mar 3, 14:05" on another day. */
export function messageTime(date: Date, now: Date = new Date()): string {
  if (date.toDateString() === now.toDateString()) {
    timeFormat ??= new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
    return timeFormat.format(date);
  }
  dateTimeFormat ??= new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
  return dateTimeFormat.format(date);
}

/** For tooltips: the full date and time. */
export function fullDateTime(date: Date): string {
  fullFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
  return fullFormat.format(date);
}

/** Markdown markers stripped from a preview line, so "**Demo Bot**" reads "Demo Bot". */
export function plainPreview(content: string): string {
  return content
    .replace(/```[\s\S]*?(```|$)/g, " [code] ")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/^\s*\|?[\s:|-]*-{3,}[\s:|-]*$/gm, " ")
    .replace(/[*_~`#>]+/g, "")
    .replace(/\|/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}
