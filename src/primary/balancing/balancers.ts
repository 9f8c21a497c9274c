// How the primary picks the worker for a new connection. One small object per
// policy behind one interface, as node's RoundRobinHandle and SharedHandle share
// add/remove. Candidates are the ready workers serving the connection's address.

export interface Candidate {
  readonly id: number;
  /** Connections it holds now (handed over and not yet closed). */
  readonly open: number;
}

export interface Balancer {
  /** `key` is the client's sticky key (IP address or header value), null when the policy needs none. */
  pick(candidates: readonly Candidate[], key: string | null): Candidate;
  /** A worker left for good: forget what points at it. */
  remove(id: number): void;
}

/** The next candidate after the last one picked, so a worker joining or leaving does not reset the turn. */
class Turn {
  #last = -1;

  next<C extends Candidate>(candidates: readonly C[]): C {
    // The lowest id after the last one, else the lowest id: whatever order the candidates come in.
    let after: C | undefined;
    let lowest = candidates[0]!;
    for (const c of candidates) {
      if (c.id < lowest.id) lowest = c;
      if (c.id > this.#last && (after === undefined || c.id < after.id)) after = c;
    }
    const picked = after ?? lowest;
    this.#last = picked.id;
    return picked;
  }
}

export class RoundRobin implements Balancer {
  readonly #turn = new Turn();

  pick(candidates: readonly Candidate[]): Candidate {
    return this.#turn.next(candidates);
  }

  remove(): void {}
}

/** The worker with the fewest open connections; ties go round-robin (nodejs/node#39815). */
export class LeastConnections implements Balancer {
  readonly #turn = new Turn();

  pick(candidates: readonly Candidate[]): Candidate {
    let fewest = Infinity;
    for (const c of candidates) if (c.open < fewest) fewest = c.open;
    return this.#turn.next(candidates.filter((c) => c.open === fewest));
  }

  remove(): void {}
}

// Enough for every client of a busy server; the least recently seen keys go first.
const MAX_KEYS = 100_000;

/**
 * The same key goes to the same worker while it lives. A new key (or one whose
 * worker left) goes to the least loaded worker, so only a leaving worker's keys move.
 */
export class Sticky implements Balancer {
  readonly #owner = new Map<string, number>();
  readonly #spread = new LeastConnections();

  pick(candidates: readonly Candidate[], key: string | null): Candidate {
    if (key === null) return this.#spread.pick(candidates);
    const id = this.#owner.get(key);
    const owner = id === undefined ? undefined : candidates.find((c) => c.id === id);
    // Refreshed on every use: Map keeps insertion order, the oldest is evicted first.
    this.#owner.delete(key);
    const picked = owner ?? this.#spread.pick(candidates);
    this.#owner.set(key, picked.id);
    if (this.#owner.size > MAX_KEYS) this.#owner.delete(this.#owner.keys().next().value!);
    return picked;
  }

  remove(id: number): void {
    for (const [key, owner] of this.#owner) if (owner === id) this.#owner.delete(key);
  }
}
