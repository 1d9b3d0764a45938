import type { Http, RequestOptions } from '../core/http.js';
import type { Account, UsersResult } from '../types.js';

/** The account of the signed-in user. */
export class AccountResource {
  constructor(
    private readonly http: Http,
    private readonly path: string,
  ) {}

  /** The account: license counts, plan, billing period, scheduled change and the viewer's role and permissions. */
  async get(options: RequestOptions = {}): Promise<Account> {
    return this.http.get<Account>(this.path, options);
  }

  /**
   * Makes another enabled, activated user the account owner (owner only). The old owner becomes an
   * admin and every session of theirs ends — including this client's, if it was theirs.
   */
  async transferOwnership(userId: string, options: RequestOptions = {}): Promise<UsersResult> {
    return this.http.post<UsersResult>(`${this.path}/owner`, { ...options, json: { userId } });
  }
}
