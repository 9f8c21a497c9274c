import { bytes, clock, duration, number } from '../../shared/dashboard-format.js';
import type { Snapshot } from './source.js';

// The page at `/`, rendered on the server: without JavaScript it is a plain
// table that refreshes itself every few seconds; with it, /assets/app.js
// takes the same elements over and keeps them live through /api/events.

const escape = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const NO_JS_REFRESH_S = 5;
const PAGE_EVENTS = 50;
const PAGE_LOGS = 100;

export function renderPage(snapshot: Snapshot, hasScript: boolean): string {
  const { status } = snapshot;
  const now = Date.now();
  const rows = status.workers.map((w) => `
      <tr data-code="${escape(w.code)}">
        <td class="code">${escape(w.code)}</td><td class="pid">${w.pid}</td><td class="state">${escape(w.state)}</td>
        <td class="uptime">${duration(w.uptime)}</td><td class="restarts">${w.restarts}</td>
        <td class="cpu">${number(w.cpu, 1, ' %')}</td><td class="rss">${bytes(w.memory?.rss)}</td>
        <td class="eld">${number(w.eventLoopDelay?.p99, 1, ' ms')}</td><td class="connections">${w.connections ?? '–'}</td>
        <td class="rps">${number(w.requestsPerSecond, 1)}</td><td class="chart"></td><td class="act"></td>
      </tr>`).join('');
  const events = snapshot.events.slice(-PAGE_EVENTS).reverse().map((e) => `
      <li data-kind="${e.kind}" class="${e.level}"><time>${clock(e.time)}</time> ${escape(e.text)}${
        e.detail && e.detail.length > 0 ? `<pre>${escape(e.detail.join('\n'))}</pre>` : ''}</li>`).join('');
  const logs = snapshot.logs.slice(-PAGE_LOGS).map((l) => `
      <li data-code="${escape(l.code)}"${l.stderr ? ' class="stderr"' : ''}><span class="tag">${escape(l.code)} ${l.pid || ''}</span> ${escape(l.text)}</li>`).join('');

  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>herd · ${escape(status.name)}</title>
  <link rel="stylesheet" href="/assets/app.css">
  <noscript><meta http-equiv="refresh" content="${NO_JS_REFRESH_S}"></noscript>
  ${hasScript ? '<script src="/assets/app.js" defer></script>' : ''}
</head>
<body>
  <header>
    <h1>herd <span id="herd-name">${escape(status.name)}</span></h1>
    <dl id="herd">
      <dt>generation</dt><dd id="generation">${status.generation}</dd>
      <dt>uptime</dt><dd id="uptime">${duration(now - status.startedAt)}</dd>
      <dt>balancer</dt><dd id="balancer">${escape(status.balancer ?? 'single')}</dd>
      <dt>primary</dt><dd id="primary">pid ${status.pid}, ${number(status.primary.cpu, 1, ' %')} CPU, ${bytes(status.primary.memory.rss)}</dd>
    </dl>
    <p id="connection" class="offline">${hasScript ? 'connecting…' : ''}<noscript>static view, refreshed every ${NO_JS_REFRESH_S} s</noscript></p>
  </header>
  <main>
    <section id="actions" hidden>
      <label>token <input id="token" type="password" autocomplete="off" placeholder="from herd start or $HERD_HOME/${escape(status.name)}.token"></label>
      <button id="reload" type="button">Reload</button>
      <label>workers <input id="scale-count" type="number" min="1" max="1024" value="${status.slots}"></label>
      <button id="scale" type="button">Scale</button>
      <output id="action-result"></output>
    </section>
    <table id="workers">
      <thead><tr><th>worker</th><th>pid</th><th>state</th><th>uptime</th><th>restarts</th><th>CPU</th><th>RSS</th><th>loop p99</th><th>conns</th><th>req/s</th><th>last 10 min</th><th></th></tr></thead>
      <tbody>${rows}
      </tbody>
    </table>
    <div class="columns">
      <section>
        <h2>Events</h2>
        <ol id="timeline">${events}
        </ol>
      </section>
      <section>
        <h2>Log</h2>
        <div id="log-filters" hidden>
          <select id="log-worker"><option value="">all workers</option></select>
          <input id="log-search" type="search" placeholder="search">
        </div>
        <ol id="log-lines">${logs}
        </ol>
      </section>
    </div>
  </main>
</body>
</html>
`;
}
