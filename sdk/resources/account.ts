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
    return (await this.http.call<Account>('get', this.path, { ...options, retry: true })).body;
  }

  /**
   * Makes another enabled, activated user the account owner (owner only). The old owner becomes an
   * admin and every session of theirs ends — including this client's, if it was theirs.
   */
  async transferOwnership(userId: string, options: RequestOptions = {}): Promise<UsersResult> {
    return (await this.http.call<UsersResult>('post', `${this.path}/owner`, { ...options, json: { userId } })).body;
  }
}
