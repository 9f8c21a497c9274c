// Sessions and shared state across workers: log in on one worker, stay logged
// in on every worker, after a worker crashes and after `herd reload`.
//   node ../../dist/cli.js start --config herd.config.json
//   curl -c jar -X POST 'localhost:3000/login?user=ada'
//   curl -b jar localhost:3000/me          # { user: 'ada', worker: 'A' | 'B' }
//   curl -b jar localhost:3000/crash       # this worker dies; ask /me again
//   node ../../dist/cli.js reload --name sessions-example ; curl -b jar localhost:3000/me
//   curl localhost:3000/visits ; curl localhost:3000/report
import express from 'express';
import session from 'express-session';
import { lock, store } from 'herd';
import { SessionStore } from 'herd/session';

const worker = process.env.HERD_WORKER_CODE ?? 'single';
const app = express();

app.use(session({
  store: new SessionStore(),           // kept by herd's primary: shared by every worker
  secret: process.env.SESSION_SECRET ?? 'change me',
  resave: false,
  saveUninitialized: false,
  cookie: { maxAge: 24 * 60 * 60 * 1000 }, // also the session's ttl in the store
}));

app.post('/login', (req, res) => {
  req.session.user = String(req.query.user ?? 'guest');
  res.json({ user: req.session.user, worker });
});
app.get('/me', (req, res) => res.json({ user: req.session.user ?? null, worker }));
app.post('/logout', (req, res) => req.session.destroy(() => res.json({ user: null, worker })));

// A counter every worker adds to, atomically.
app.get('/visits', async (req, res) => res.json({ visits: await store.incr('visits'), worker }));

// An expensive report built by one worker at a time and cached for 10 s: the
// lock keeps two workers from building it at once; the others wait and reuse it.
app.get('/report', async (req, res) => {
  const report = await lock('report', async () => {
    const cached = await store.get('report');
    if (cached) return cached;
    await new Promise((r) => setTimeout(r, 500)); // the slow part
    const built = { builtBy: worker, at: new Date(), visits: (await store.get('visits')) ?? 0 };
    await store.set('report', built, { ttl: 10_000 });
    return built;
  }, { wait: 5000 });
  res.json(report);
});

app.get('/crash', (req, res) => {
  res.json({ crashing: worker });
  res.on('finish', () => process.exit(1));
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => console.log(`worker ${worker} listening on http://localhost:${port}`));
