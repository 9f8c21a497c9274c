// A named import: the declarations then need no esModuleInterop in the app's tsconfig.
import { Store, type SessionData } from 'express-session';
import { describe, isPlainObject } from '../config/validate.js';
import { HerdError } from '../errors.js';
import { expire, store } from '../state/client.js';

// An express-session store on herd's shared store: a session written by one
// worker is read by every other, and outlives crashes and reloads (it lives in
// the primary). Sessions are kept as JSON, as express-session's MemoryStore and
// connect-redis keep them, so an app sees the same data whichever store it uses.

export interface SessionStoreOptions {
  /** Prefix of the store keys that hold sessions (default 'sess:'). */
  prefix?: string;
  /** ms a session lives when its cookie has no maxAge or expires (default one day). */
  ttl?: number;
}

type Callback<T = void> = (error: unknown, value?: T) => void;

export const DEFAULT_SESSION_TTL = 24 * 60 * 60 * 1000;

export class SessionStore extends Store {
  readonly #prefix: string;
  readonly #ttl: number;

  constructor(options: SessionStoreOptions = {}) {
    super();
    if (!isPlainObject(options) || Object.keys(options).some((k) => k !== 'prefix' && k !== 'ttl')) {
      throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `new SessionStore(options): \`options\` must be { prefix, ttl }, received ${describe(options)}`);
    }
    const { prefix = 'sess:', ttl = DEFAULT_SESSION_TTL } = options;
    if (typeof prefix !== 'string') {
      throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `new SessionStore({ prefix }): \`prefix\` must be a string, received ${describe(prefix)}`);
    }
    if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 1) {
      throw new HerdError('ERR_HERD_INVALID_ARGUMENT', `new SessionStore({ ttl }): \`ttl\` must be a positive integer (ms), received ${describe(ttl)}`);
    }
    this.#prefix = prefix;
    this.#ttl = ttl;
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    settle(store.get<string>(this.#key(sid)).then((json) => (json === undefined ? null : JSON.parse(json) as SessionData)), callback);
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    const ttl = this.#ttlOf(session);
    // A cookie that has already expired: the session is over.
    const done = ttl <= 0 ? store.delete(this.#key(sid)) : store.set(this.#key(sid), JSON.stringify(session), { ttl });
    settle(done.then(() => undefined), callback);
  }

  /** Extends the session's life without rewriting it (a concurrent request may have changed it). */
  override touch(sid: string, session: SessionData, callback?: () => void): void {
    const ttl = this.#ttlOf(session);
    const done = ttl <= 0 ? store.delete(this.#key(sid)) : expire(this.#key(sid), ttl);
    settle(done.then(() => undefined), callback as Callback | undefined);
  }

  override destroy(sid: string, callback?: Callback): void {
    settle(store.delete(this.#key(sid)).then(() => undefined), callback);
  }

  /** Every live session, by session id (as MemoryStore gives them). */
  override all(callback: Callback<Record<string, SessionData>>): void {
    settle(this.#entries().then((entries) => Object.fromEntries(entries)), callback);
  }

  override length(callback: Callback<number>): void {
    settle(store.keys(this.#prefix).then((keys) => keys.length), callback);
  }

  override clear(callback?: Callback): void {
    settle(store.keys(this.#prefix).then((keys) => Promise.all(keys.map((k) => store.delete(k)))).then(() => undefined), callback);
  }

  #key(sid: string): string {
    return this.#prefix + sid;
  }

  // The cookie's remaining life: express-session's Cookie gives maxAge; plain data may carry expires.
  #ttlOf(session: SessionData): number {
    const cookie = session?.cookie as { maxAge?: unknown; expires?: unknown } | undefined;
    if (typeof cookie?.maxAge === 'number') return Math.floor(cookie.maxAge);
    if (cookie?.expires) return new Date(cookie.expires as string | Date).getTime() - Date.now();
    return this.#ttl;
  }

  async #entries(): Promise<Array<[string, SessionData]>> {
    const keys = await store.keys(this.#prefix);
    const values = await Promise.all(keys.map((k) => store.get<string>(k)));
    const out: Array<[string, SessionData]> = [];
    keys.forEach((k, i) => {
      // A session may expire between keys() and get().
      const json = values[i];
      if (json !== undefined) out.push([k.slice(this.#prefix.length), JSON.parse(json) as SessionData]);
    });
    return out;
  }
}

function settle<T>(promise: Promise<T>, callback: Callback<T> | undefined): void {
  promise.then(
    (value) => callback?.(null, value),
    (error: unknown) => callback?.(error),
  );
}
