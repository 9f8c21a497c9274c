// `import { SessionStore } from 'herd/session'`: an express-session store on
// herd's shared store. express-session is an optional peer dependency, needed
// only by apps that import this entry.
export { SessionStore, DEFAULT_SESSION_TTL, type SessionStoreOptions } from './session/session-store.js';
