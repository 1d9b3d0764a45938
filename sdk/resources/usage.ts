import type { Http, RequestOptions } from '../core/http.js';
import type { BatchBody, BatchResult, ReclaimPolicy, ReclaimPolicyBody, UsageResult } from '../types.js';

/** Releasing idle licenses automatically (the owner). */
export class ReclaimPolicyResource {
  constructor(
    private readonly http: Http,
    private readonly path: string,
  ) {}

  /** The policy and who it would release now; `inactiveDays` previews another number of days. */
  async get(params: { inactiveDays?: number } = {}, options: RequestOptions = {}): Promise<ReclaimPolicy> {
    return this.http.get<ReclaimPolicy>(`${this.path}/reclaim-policy`, { ...options, query: params });
  }

  /** Saves it; turned on, it releases at once the licenses of users inactive that long (never the owner's). */
  async update(policy: ReclaimPolicyBody, options: RequestOptions = {}): Promise<ReclaimPolicy> {
    return this.http.put<ReclaimPolicy>(`${this.path}/reclaim-policy`, { ...options, json: policy, retry: true });
  }
}

/** Licenses in use over time. */
export class UsageResource {
  constructor(
    private readonly http: Http,
    private readonly path: string,
  ) {}

  /** One row per UTC day (oldest first): the total, in use at the day's end, and the day's peak; `days` 1–730 (default 90). */
  async get(params: { days?: number } = {}, options: RequestOptions = {}): Promise<UsageResult> {
    return this.http.get<UsageResult>(`${this.path}/usage`, { ...options, query: params });
  }
}

/**
 * Runs up to 1,000 operations at once. Atomic (the default): all or none; a refused batch throws a
 * `SeatConflictError` with `code: 'batch_rejected'`, whose `problem.results` say what became of
 * each operation and `problem.licensesNeeded` how many more licenses it needs. Not retried (not
 * idempotent), but `dryRun: true` answers what it would do and changes nothing.
 */
export function batch(http: Http, path: string) {
  return async (body: BatchBody, options: RequestOptions = {}): Promise<BatchResult> =>
    http.post<BatchResult>(`${path}/batch`, { ...options, json: body, retry: body.dryRun === true });
}
