import { parseArgs } from 'node:util';

/** `--name value` flags shared by the benchmark scripts; numbers are checked, not guessed. */
export function options(spec, argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, { type: typeof v === 'boolean' ? 'boolean' : 'string' }])),
    strict: true,
  });
  const out = {};
  for (const [key, def] of Object.entries(spec)) {
    const raw = values[key];
    if (raw === undefined) out[key] = def;
    else if (typeof def === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${key} must be a positive number, received ${raw}`);
      out[key] = n;
    } else out[key] = raw;
  }
  return out;
}
