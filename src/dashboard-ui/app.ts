import type { Point } from '../primary/dashboard/history.js';
import type { LogsEvent, Snapshot, StatusEvent } from '../primary/dashboard/source.js';
import type { TimelineEntry } from '../primary/dashboard/timeline.js';
import { act, setupToken } from './actions.js';
import { LEGEND } from './chart.js';
import { applyLogFilter, renderCharts, renderEvents, renderLogs, renderStatus, renderWorkerOptions, type LogFilter } from './render.js';

// The dashboard's script: one EventSource for everything live, fetch for the
// actions. EventSource reconnects by itself when the stream drops (a herd
// restart); each new stream starts with a full snapshot.

const HISTORY_MS = 10 * 60_000;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const query = new URLSearchParams(location.search);
// Only a dashboard beyond loopback needs the token to read (docs/dashboard.md).
const readToken = query.get('token');
const history = new Map<string, Point[]>();
const filter: LogFilter = { code: '', text: '' };
let source: EventSource | undefined;

function connection(text: string, live: boolean): void {
  const p = $('connection');
  p.textContent = text;
  p.className = live ? 'live' : 'offline';
}

function onStatus(data: StatusEvent): void {
  renderStatus(data.status, replace);
  renderWorkerOptions(data.status.workers.map((w) => w.code));
  if (data.points) {
    const cutoff = Date.now() - HISTORY_MS;
    for (const [code, point] of Object.entries(data.points)) {
      const points = history.get(code) ?? [];
      points.push(point);
      while (points.length > 0 && points[0]![0] < cutoff) points.shift();
      history.set(code, points);
    }
  }
  renderCharts(history);
}

function connect(): void {
  source = new EventSource(`/api/events${readToken ? `?token=${encodeURIComponent(readToken)}` : ''}`);
  source.addEventListener('open', () => connection('live', true));
  source.addEventListener('error', () => {
    connection('reconnecting…', false);
    // EventSource gives up for good on an HTTP error answer: try again ourselves.
    if (source?.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
  });
  source.addEventListener('snapshot', (e) => {
    const snapshot = JSON.parse((e as MessageEvent<string>).data) as Snapshot;
    history.clear();
    for (const [code, points] of Object.entries(snapshot.history)) history.set(code, points);
    onStatus({ status: snapshot.status });
    renderEvents(snapshot.events, true);
    renderLogs(snapshot.logs, true, filter);
  });
  source.addEventListener('status', (e) => onStatus(JSON.parse((e as MessageEvent<string>).data) as StatusEvent));
  source.addEventListener('event', (e) => renderEvents([JSON.parse((e as MessageEvent<string>).data) as TimelineEntry], false));
  source.addEventListener('logs', (e) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as LogsEvent;
    renderLogs(data.lines, false, filter, data.skipped);
  });
}

async function run(what: string, path: string, body: unknown): Promise<void> {
  if (!window.confirm(`${what}?`)) return;
  const out = $('action-result');
  out.className = 'busy';
  out.textContent = `${what}…`;
  const result = await act(path, body, $<HTMLInputElement>('token').value.trim());
  out.className = result.ok ? 'ok' : 'failed';
  out.textContent = result.ok ? `${what}: done, ${result.text}` : `${what}: ${result.text}`;
}

function replace(code: string): void {
  void run(`Replace worker ${code} (a new one starts first, then this one drains)`, '/api/replace', { code });
}

function setup(): void {
  $('actions').hidden = false;
  $('log-filters').hidden = false;
  setupToken($<HTMLInputElement>('token'), readToken);
  $('reload').addEventListener('click', () => void run('Reload every worker', '/api/reload', {}));
  $('scale').addEventListener('click', () => {
    const count = Number($<HTMLInputElement>('scale-count').value);
    void run(`Scale to ${count} worker${count === 1 ? '' : 's'}`, '/api/scale', { count });
  });
  $('log-worker').addEventListener('change', (e) => {
    filter.code = (e.target as HTMLSelectElement).value;
    applyLogFilter(filter);
  });
  $('log-search').addEventListener('input', (e) => {
    filter.text = (e.target as HTMLInputElement).value;
    applyLogFilter(filter);
  });
  const legend = document.createElement('p');
  legend.id = 'legend';
  for (const { colour, name } of LEGEND) {
    const span = document.createElement('span');
    span.textContent = name;
    span.style.color = colour;
    legend.append(span);
  }
  document.querySelector('#workers')!.after(legend);
  window.addEventListener('resize', () => renderCharts(history));
  connect();
}

setup();
