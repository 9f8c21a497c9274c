// Every Redis key and channel a fleet uses, in one place: `<prefix><name>:…`.
// Herds with the same name on one Redis (and prefix) form one fleet.

export class Keys {
  readonly #base: string;

  constructor(prefix: string, name: string) {
    this.#base = `${prefix}${name}:`;
  }

  /** Pub/sub: frames for every host. */
  get all(): string {
    return `${this.#base}to:*`;
  }

  /** Pub/sub: frames for one host. */
  to(host: string): string {
    return `${this.#base}to:${host}`;
  }

  /** Held (with a lease) by the live herd that uses this host name. */
  member(host: string): string {
    return `${this.#base}host:${host}`;
  }

  /** The stream of consumed messages for one event. */
  jobs(event: string): string {
    return `${this.#base}jobs:${event}`;
  }

  get jobsPrefix(): string {
    return `${this.#base}jobs:`;
  }

  store(key: string): string {
    return `${this.#base}store:${key}`;
  }

  get storePrefix(): string {
    return `${this.#base}store:`;
  }

  lock(name: string): string {
    return `${this.#base}lock:${name}`;
  }
}

/** The consumer group every host reads the job streams with. */
export const GROUP = 'herd';
