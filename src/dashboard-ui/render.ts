import { bytes, clock, duration, number } from '../shared/dashboard-format.js';
import type { Point } from '../primary/dashboard/history.js';
import type { PageLogLine } from '../primary/dashboard/log-lines.js';
import type { DashboardStatus } from '../primary/dashboard/source.js';
import type { TimelineEntry } from '../primary/dashboard/timeline.js';
import { drawChart } from './chart.js';

// Draws what the server sends into the elements the server rendered: the
// table (one row per worker code), the timeline and the log tail.

type Worker = DashboardStatus['workers'][number];

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const MAX_EVENTS = 200;
const MAX_LOG_LINES = 1000;
const RANK: Record<string, number> = { ready: 0, starting: 1, draining: 2, exited: 3 };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** One worker per code: the one that serves; a draining one beside it is counted in its state. */
function byCode(workers: Worker[]): Map<string, { worker: Worker; draining: number }> {
  const rows = new Map<string, { worker: Worker; draining: number }>();
  for (const w of workers) {
    const row = rows.get(w.code);
    if (!row) rows.set(w.code, { worker: w, draining: w.state === 'draining' ? 1 : 0 });
    else {
      if (w.state === 'draining') row.draining++;
      if (RANK[w.state]! < RANK[row.worker.state]! || (RANK[w.state] === RANK[row.worker.state] && w.startedAt > row.worker.startedAt)) row.worker = w;
    }
  }
  return new Map([...rows].sort(([a], [b]) => a.length - b.length || a.localeCompare(b)));
}

export function renderStatus(status: DashboardStatus, onReplace: (code: string) => void): void {
  $('herd-name').textContent = status.name;
  $('generation').textContent = String(status.generation);
  $('uptime').textContent = duration(Date.now() - status.startedAt);
  $('balancer').textContent = status.balancer ?? 'single';
  $('primary').textContent = `pid ${status.pid}, ${number(status.primary.cpu, 1, ' %')} CPU, ${bytes(status.primary.memory.rss)}`;
  const body = document.querySelector('#workers tbody')!;
  const rows = byCode(status.workers);
  for (const tr of [...body.querySelectorAll<HTMLTableRowElement>('tr')]) if (!rows.has(tr.dataset.code!)) tr.remove();
  for (const [code, { worker: w, draining }] of rows) {
    let tr = body.querySelector<HTMLTableRowElement>(`tr[data-code="${code}"]`);
    if (!tr) {
      tr = el('tr');
      tr.dataset.code = code;
      for (const c of ['code', 'pid', 'state', 'uptime', 'restarts', 'cpu', 'rss', 'eld', 'connections', 'rps', 'chart', 'act']) tr.append(el('td', c));
      body.append(tr);
    }
    if (!tr.querySelector('canvas')) tr.querySelector('.chart')!.append(el('canvas'));
    if (!tr.querySelector('button')) {
      const button = el('button', 'replace', 'Replace');
      button.type = 'button';
      button.title = `start a new worker ${code}, then drain this one`;
      button.addEventListener('click', () => onReplace(code));
      tr.querySelector('.act')!.append(button);
    }
    const cells: Record<string, string> = {
      code,
      pid: String(w.pid),
      state: draining > 0 && w.state !== 'draining' ? `${w.state} (+${draining} draining)` : w.state,
      uptime: duration(w.uptime),
      restarts: String(w.restarts),
      cpu: number(w.cpu, 1, ' %'),
      rss: bytes(w.memory?.rss),
      eld: number(w.eventLoopDelay?.p99, 1, ' ms'),
      connections: w.connections === null ? '–' : String(w.connections),
      rps: number(w.requestsPerSecond, 1),
    };
    for (const [cls, text] of Object.entries(cells)) {
      const td = tr.querySelector(`.${cls}`)!;
      if (td.textContent !== text) td.textContent = text;
    }
    tr.className = w.state;
  }
}

export function renderCharts(history: Map<string, Point[]>): void {
  const now = Date.now();
  for (const tr of document.querySelectorAll<HTMLTableRowElement>('#workers tbody tr')) {
    const canvas = tr.querySelector('canvas');
    if (canvas) drawChart(canvas, history.get(tr.dataset.code!) ?? [], now);
  }
}

function eventItem(e: TimelineEntry): HTMLLIElement {
  const li = el('li', e.level);
  li.dataset.kind = e.kind;
  if (e.code) li.dataset.code = e.code;
  li.append(el('time', undefined, clock(e.time)), document.createTextNode(` ${e.text}`));
  if (e.detail && e.detail.length > 0) li.append(el('pre', undefined, e.detail.join('\n')));
  return li;
}

export function renderEvents(events: TimelineEntry[], replace: boolean): void {
  const list = $('timeline');
  if (replace) list.replaceChildren();
  for (const e of events) list.prepend(eventItem(e));
  while (list.children.length > MAX_EVENTS) list.lastElementChild!.remove();
}

export interface LogFilter {
  code: string;
  text: string;
}

function visible(li: HTMLElement, filter: LogFilter): boolean {
  if (filter.code && li.dataset.code !== filter.code) return false;
  return !filter.text || (li.textContent ?? '').toLowerCase().includes(filter.text.toLowerCase());
}

export function renderLogs(lines: PageLogLine[], replace: boolean, filter: LogFilter, skipped = 0): void {
  const list = $('log-lines');
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  if (replace) list.replaceChildren();
  if (skipped > 0) list.append(el('li', 'skipped', `… ${skipped} lines not shown (too many at once; herd logs has them all)`));
  for (const line of lines) {
    const li = el('li', line.stderr ? 'stderr' : undefined);
    li.dataset.code = line.code;
    li.append(el('span', 'tag', `${line.code} ${line.pid || ''}`), document.createTextNode(` ${line.text}`));
    li.hidden = !visible(li, filter);
    list.append(li);
  }
  while (list.children.length > MAX_LOG_LINES) list.firstElementChild!.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

export function applyLogFilter(filter: LogFilter): void {
  for (const li of document.querySelectorAll<HTMLLIElement>('#log-lines li')) li.hidden = !visible(li, filter);
}

/** The worker filter's choices: every code seen, and the primary. */
export function renderWorkerOptions(codes: string[]): void {
  const select = $<HTMLSelectElement>('log-worker');
  const have = new Set([...select.options].map((o) => o.value));
  for (const code of [...codes, 'primary']) {
    if (have.has(code)) continue;
    const option = el('option', undefined, code === 'primary' ? 'primary (herd)' : `worker ${code}`);
    option.value = code;
    select.append(option);
  }
}
