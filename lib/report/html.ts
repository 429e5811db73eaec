/**
 * The HTML report: one self-contained page (inline CSS and SVG, no script, no external request: its
 * own Content-Security-Policy forbids any). Pure: figures and lists in, text out.
 *
 * Connection and queue names, error messages and ids come from the DLI API: every piece of data goes
 * through `esc`, never into markup as it is. It stays usable at 10,000 connections: peerings ACTIVE
 * throughout the window are one line, not 10,000 bars, and the long lists are capped (saying so).
 */
import { peeringLabel } from '../model/peering-key.ts';
import type { ChangeEvent, HistoryVersion } from '../model/schemas.ts';
import { ACTIVE, CREATING, FAILED } from '../model/status.ts';
import {
  byTarget,
  epochSeconds,
  type Figures,
  type PeeringResult,
  type Segment,
  summarize,
  type Window,
} from './availability.ts';
import { STYLE } from './style.ts';

export interface ReportData {
  window: Window;
  generatedAt: string;
  results: readonly PeeringResult[];
  events: readonly ChangeEvent[];
  inventory: readonly HistoryVersion[];
}

/** Past these, a list says how many more there are (and which command lists them all). */
export const MAX_TIMELINES = 2_000;
export const MAX_EVENTS = 2_000;

/** Text for HTML content and attribute values; control and bidi-override characters removed. */
export const esc = (v: string | number | null): string =>
  String(v ?? '')
    .toWellFormed()
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

const iso = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
const percent = (a: number | null): string => (a === null ? '–' : `${(a * 100).toFixed(3)} %`);

/** `3h 5m 10s`: exact to the second (the figures are). */
export function span(seconds: number | null): string {
  if (seconds === null) return '–';
  const s = Math.round(seconds);
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const shown = parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`);
  return shown.length ? shown.join(' ') : '0s';
}

/** The state word a person reads, and the CSS class (the colour) it goes with. */
function state(status: string | null): { word: string; cls: string } {
  if (status === null) return { word: 'absent', cls: 'absent' };
  if (status === ACTIVE || status === FAILED || status === CREATING)
    return { word: status, cls: status.toLowerCase() };
  return { word: status, cls: 'other' };
}

const WIDTH = 1000;

function bar(segments: readonly Segment[], w: Window): string {
  const from = epochSeconds(w.from);
  const length = epochSeconds(w.to) - from;
  const rects = segments.map((s) => {
    const { word, cls } = state(s.status);
    const x = ((s.start - from) / length) * WIDTH;
    const width = Math.max(((s.end - s.start) / length) * WIDTH, 0.5);
    return `<rect class="${cls}" data-state="${esc(word)}" x="${x.toFixed(2)}" width="${width.toFixed(2)}" height="16"><title>${esc(word)} from ${iso(s.start)} to ${iso(s.end)} (${span(s.end - s.start)})</title></rect>`;
  });
  const notActive = segments
    .filter((s) => s.status !== ACTIVE)
    .map((s) => `${state(s.status).word} ${span(s.end - s.start)}`);
  return `<svg class="bar" viewBox="0 0 ${WIDTH} 16" preserveAspectRatio="none" role="img" aria-label="${esc(notActive.join(', '))}">${rects.join('')}</svg>`;
}

const figureCells = (f: Figures): string =>
  `<td>${percent(f.availability)}</td><td>${f.failures}</td><td>${span(f.mttrSeconds)}</td><td>${span(f.longestOutageSeconds)}</td>`;
const FIGURE_HEADS =
  '<th scope="col">Availability</th><th scope="col">Failures</th><th scope="col">MTTR</th><th scope="col">Longest outage</th>';

function summaryTable(results: readonly PeeringResult[]): string {
  const s = summarize(results.map((r) => r.row));
  const line = (name: string, key: string, value: number | null, text: string) =>
    `<tr><th scope="row">${name}</th><td data-figure="${key}" data-value="${value ?? 'null'}">${text}</td></tr>`;
  return `<table class="summary" id="summary"><caption>Summary</caption><tbody>
${line('Connections', 'connections', s.connections, String(s.connections))}
${line('Peerings', 'peerings', s.peerings, String(s.peerings))}
${line('Availability', 'availability', s.availability, percent(s.availability))}
${line('Failures', 'failures', s.failures, String(s.failures))}
${line('Recovered', 'recoveries', s.recoveries, String(s.recoveries))}
${line('MTTR', 'mttrSeconds', s.mttrSeconds, span(s.mttrSeconds))}
${line('Longest outage', 'longestOutageSeconds', s.longestOutageSeconds, span(s.longestOutageSeconds))}
${line('FAILED for (peering-time)', 'failedSeconds', s.seconds.failed, span(s.seconds.failed))}
</tbody></table>`;
}

function targetsTable(results: readonly PeeringResult[]): string {
  const rows = byTarget(results.map((r) => r.row)).map(
    (t) =>
      `<tr><th scope="row">${esc(t.region)}/${esc(t.projectId)}</th><td>${t.connections}</td><td>${t.peerings}</td>${figureCells(t)}</tr>`,
  );
  return `<table><caption>Per target</caption><thead><tr><th scope="col">Target</th><th scope="col">Connections</th><th scope="col">Peerings</th>${FIGURE_HEADS}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

const activeThroughout = (r: PeeringResult): boolean =>
  r.segments.length === 1 && r.segments[0]?.status === ACTIVE;

function timelines(results: readonly PeeringResult[], w: Window): string {
  const drawn = results
    .filter((r) => !activeThroughout(r))
    .sort(
      (a, b) =>
        (a.row.availability ?? 2) - (b.row.availability ?? 2) ||
        b.row.failures - a.row.failures ||
        (a.row.connectionName ?? '').localeCompare(b.row.connectionName ?? '') ||
        a.row.connectionId.localeCompare(b.row.connectionId),
    );
  const quiet = results.length - drawn.length;
  const rows = drawn.slice(0, MAX_TIMELINES).map(({ row: r, segments }) => {
    const who = `${esc(r.connectionName ?? r.connectionId)} · ${esc(peeringLabel(r, r.peeringKey))}`;
    return `<tr data-connection="${esc(r.connectionId)}" data-peering="${esc(r.peeringKey)}"><th scope="row">${who}<br><small>${esc(r.region)}/${esc(r.projectId)} ${esc(r.connectionId)}</small></th>${figureCells(r)}<td>${bar(segments, w)}</td></tr>`;
  });
  const more =
    drawn.length > MAX_TIMELINES
      ? `<tr><td colspan="6">${drawn.length - MAX_TIMELINES} more peerings not drawn; dli-sync availability --csv lists every one.</td></tr>`
      : '';
  const calm = `<tr class="calm"><th scope="row">${quiet} peering${quiet === 1 ? '' : 's'} ACTIVE throughout</th><td>100.000 %</td><td>0</td><td>–</td><td>0s</td><td>not drawn</td></tr>`;
  return `<table class="timelines"><caption>Peerings, least available first</caption><thead><tr><th scope="col">Connection · peering</th>${FIGURE_HEADS}<th scope="col">Timeline ${esc(w.from)} → ${esc(w.to)}</th></tr></thead><tbody>
${rows.join('\n')}${more}
${calm}</tbody></table>`;
}

function legend(): string {
  const item = (cls: string, text: string) => `<li><span class="swatch ${cls}"></span>${text}</li>`;
  return `<ul class="legend" aria-label="Legend">${item('active', 'ACTIVE')}${item('creating', 'CREATING')}${item('failed', 'FAILED')}${item('other', 'another status (e.g. UNKNOWN; counted as creating)')}${item('absent', 'absent (not yet created, deleted or gone)')}</ul>`;
}

function eventsTable(events: readonly ChangeEvent[]): string {
  const rows = events.slice(0, MAX_EVENTS).map((e) => {
    const peering = e.queue ?? (e.peerId ? `(peer ${e.peerId})` : '');
    return `<tr><td>${esc(e.detectedAt)}</td><td>${esc(e.type)}</td><td>${esc(e.region)}/${esc(e.projectId)}</td><td>${esc(e.connectionName ?? e.connectionId)}</td><td>${esc(peering)}</td><td>${esc(e.previousStatus ?? '–')} → ${esc(e.status)}</td><td>${esc(e.error)}</td></tr>`;
  });
  const more =
    events.length > MAX_EVENTS
      ? `<tr><td colspan="7">${events.length - MAX_EVENTS} more events; dli-sync events --from … --to … lists every one.</td></tr>`
      : '';
  return `<table class="events"><caption>Events of the window (${events.length})</caption><thead><tr><th scope="col">Detected</th><th scope="col">Type</th><th scope="col">Target</th><th scope="col">Connection</th><th scope="col">Peering</th><th scope="col">Status</th><th scope="col">Error</th></tr></thead><tbody>${rows.join('\n')}${more}</tbody></table>`;
}

function inventoryTable(list: readonly HistoryVersion[], w: Window): string {
  const rows = list.map((c) => {
    const peerings = [...c.peerings, ...c.elasticResourcePools]
      .map((p) => `${peeringLabel(p)}:${p.status}`)
      .join(' ');
    return `<tr><td>${esc(c.region)}/${esc(c.projectId)}</td><td>${esc(c.id)}</td><td>${esc(c.name)}</td><td>${esc(c.status)}</td><td>${esc(peerings)}</td></tr>`;
  });
  return `<table class="inventory"><caption>Inventory at ${esc(w.to)} (${list.length} connections)</caption><thead><tr><th scope="col">Target</th><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Peerings</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

export function renderReport(d: ReportData): string {
  const title = `dli-sync report ${d.window.from} → ${d.window.to}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main>
<h1>${esc(title)}</h1>
<p>Window <time>${esc(d.window.from)}</time> to <time>${esc(d.window.to)}</time> (half-open), generated ${esc(d.generatedAt)}. Figures count whole seconds from the stored history; a state holds from the version that shows it until the next.</p>
${summaryTable(d.results)}
${targetsTable(d.results)}
<h2>Timeline</h2>
${legend()}
${timelines(d.results, d.window)}
<h2>Events</h2>
${eventsTable(d.events)}
<h2>Inventory at the window's end</h2>
${inventoryTable(d.inventory, d.window)}
</main></body></html>
`;
}
