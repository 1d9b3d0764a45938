import type { Http, RequestOptions } from '../core/http.js';
import { list, type PagePromise } from '../core/pagination.js';
import type { AuditEvent, ListParams, UpdateUserBody, User, UserListParams, UserResult } from '../types.js';

/** The account's users (owner and admins; a member may only `get` themselves). */
export class UsersResource {
  constructor(
    private readonly http: Http,
    private readonly path: string,
  ) {}

  /** Users, searched (`q`: name, email, qualification), filtered, sorted (`-` for descending), paged. */
  list(params: UserListParams = {}, options: RequestOptions = {}): PagePromise<User> {
    return list<User>(this.http, `${this.path}/users`, params, options);
  }

  /** One user (its `version` is its ETag). */
  async get(userId: string, options: RequestOptions = {}): Promise<User> {
    return this.http.get<User>(`${this.path}/users/${encodeURIComponent(userId)}`, options);
  }

  /**
   * Edits names, qualification or role. `ifMatch` is the ETag the edit is based on (`"<version>"`);
   * without it, the user is fetched first. A stale ETag fails with 412 (`precondition_failed`).
   */
  async update(userId: string, patch: UpdateUserBody, options: RequestOptions & { ifMatch?: string } = {}): Promise<UserResult> {
    const { ifMatch, ...rest } = options;
    const etag = ifMatch ?? `"${(await this.get(userId, rest)).version}"`;
    return this.http.patch<UserResult>(`${this.path}/users/${encodeURIComponent(userId)}`, { ...rest, json: patch, headers: { 'If-Match': etag } });
  }

  /**
   * The users as CSV (the list's filters and sort), streamed: a `ReadableStream` of UTF-8 bytes
   * (`await new Response(stream).blob()` for a Blob, `.text()` for a string).
   */
  async exportCsv(params: Omit<UserListParams, 'limit' | 'cursor'> = {}, options: RequestOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return this.http.get<ReadableStream<Uint8Array>>(`${this.path}/users.csv`, { ...options, query: { ...params }, retry: true, stream: true });
  }

  /** The user's history: audit events about them, newest first. */
  history(userId: string, params: ListParams = {}, options: RequestOptions = {}): PagePromise<AuditEvent> {
    return list<AuditEvent>(this.http, `${this.path}/users/${encodeURIComponent(userId)}/events`, params, options);
  }
}
