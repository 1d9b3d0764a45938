/**
 * Where an account's audit events are, without the events: how many there are, and the positions
 * of those that name each user. Pages of the audit log and of a user's history (newest first) are
 * worked out here; the store then reads just those events (from memory, or from disk).
 */
import type { EventQuery } from './types.js';

export interface EventPositions {
  /** Positions of the page's events, newest first. */
  positions: number[];
  total: number;
  next: number | null;
}

export class EventIndex {
  #count = 0;
  /** User id → positions of the events naming that user, ascending. */
  readonly #byUser = new Map<string, number[]>();

  get count(): number {
    return this.#count;
  }

  /** Indexes the next event; returns its position. */
  add(userIds: readonly string[]): number {
    const position = this.#count++;
    for (const id of new Set(userIds)) this.#positionsOf(id).push(position);
    return position;
  }

  /** Indexes events already known by position (a sealed part of the log read back from disk). */
  load(count: number, byUser: Iterable<[string, Iterable<number>]>): void {
    for (const [id, positions] of byUser) {
      const list = this.#positionsOf(id);
      for (const position of positions) list.push(position);
    }
    this.#count = count;
  }

  /** Users named by events, with their positions (for writing an index of a sealed part). */
  usersBetween(from: number, to: number): Map<string, number[]> {
    const result = new Map<string, number[]>();
    for (const [id, positions] of this.#byUser) {
      const start = lowerBound(positions, from);
      const end = lowerBound(positions, to);
      if (end > start) result.set(id, positions.slice(start, end));
    }
    return result;
  }

  page(query: EventQuery): EventPositions {
    const limit = query.limit;
    if (query.userId === undefined) {
      const end = Math.min(query.before ?? this.#count, this.#count);
      const positions: number[] = [];
      for (let p = end - 1; p >= 0 && positions.length < limit; p--) positions.push(p);
      const last = positions.at(-1);
      return { positions, total: this.#count, next: last !== undefined && last > 0 ? last : null };
    }
    const list = this.#byUser.get(query.userId) ?? [];
    const end = lowerBound(list, query.before ?? Infinity);
    const start = Math.max(0, end - limit);
    const positions = list.slice(start, end).reverse();
    return { positions, total: list.length, next: start > 0 ? list[start]! : null };
  }

  #positionsOf(id: string): number[] {
    let list = this.#byUser.get(id);
    if (!list) this.#byUser.set(id, (list = []));
    return list;
  }
}

/** The index of the first item ≥ `value` in an ascending list. */
function lowerBound(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
