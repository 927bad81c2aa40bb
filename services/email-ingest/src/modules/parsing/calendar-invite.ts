import type { CalendarInvite } from './parsed-message.js';

const MAX_SCAN = 256 * 1024;

function fieldValue(lines: readonly string[], name: string): string | null {
  const field = new RegExp(`^${name}[;:]`, 'i');
  const line = lines.find((l) => field.test(l));
  if (!line) return null;
  const text = line.slice(line.indexOf(':') + 1).trim();
  return text === '' ? null : text.replace(/\\n/gi, '\n').replace(/\\([,;\\])/g, '$1');
}

/** METHOD, and SUMMARY and DTSTART of the first event, of an iCalendar text (RFC 5545). */
export function readCalendarInvite(ics: string): CalendarInvite {
  const lines = ics.slice(0, MAX_SCAN).replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  // DTSTART also appears in VTIMEZONE rules, which come before the event.
  const eventAt = lines.findIndex((l) => /^BEGIN:VEVENT\s*$/i.test(l));
  const event = eventAt >= 0 ? lines.slice(eventAt) : [];
  const method = fieldValue(lines, 'METHOD');
  return { method: method ? method.toUpperCase() : null, summary: fieldValue(event, 'SUMMARY'), start: fieldValue(event, 'DTSTART') };
}
