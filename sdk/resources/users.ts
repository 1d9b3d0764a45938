import type { Http, RequestOptions } from '../core/http.js';
import { Page, PagePromise } from '../core/pagination.js';
import type { AuditEvent, ListParams, PageBody, UpdateUserBody, User, UserListParams, UserResult } from '../types.js';

/** Lists a paged collection: the first page at once, the next ones on demand. */
export function list<T>(http: Http, path: string, params: object, options: RequestOptions): PagePromise<T> {
  const fetchPage = async (cursor?: string): Promise<Page<T>> => {
    const query = { ...(params as Record<string, string | number | undefined>), ...(cursor !== undefined && { cursor }) };
    const { body } = await http.call<PageBody<T>>('get', path, { ...options, query, retry: true });
    return new Page(body, fetchPage);
  };
  return new PagePromise(fetchPage((params as ListParams).cursor));
}

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
    return (await this.http.call<User>('get', `${this.path}/users/${encodeURIComponent(userId)}`, { ...options, retry: true })).body;
  }

  /**
   * Edits names, qualification or role. `ifMatch` is the ETag the edit is based on (`"<version>"`);
   * without it, the user is fetched first. A stale ETag fails with 412 (`precondition_failed`).
   */
  async update(userId: string, patch: UpdateUserBody, options: RequestOptions & { ifMatch?: string } = {}): Promise<UserResult> {
    const { ifMatch, ...rest } = options;
    const etag = ifMatch ?? `"${(await this.get(userId, rest)).version}"`;
    return (
      await this.http.call<UserResult>('patch', `${this.path}/users/${encodeURIComponent(userId)}`, { ...rest, json: patch, headers: { 'If-Match': etag } })
    ).body;
  }

  /**
   * The users as CSV (the list's filters and sort), streamed: a `ReadableStream` of UTF-8 bytes
   * (`await new Response(stream).blob()` for a Blob, `.text()` for a string).
   */
  async exportCsv(params: Omit<UserListParams, 'limit' | 'cursor'> = {}, options: RequestOptions = {}): Promise<ReadableStream<Uint8Array>> {
    return (await this.http.call<ReadableStream<Uint8Array>>('get', `${this.path}/users.csv`, { ...options, query: { ...params }, retry: true, stream: true })).body;
  }

  /** The user's history: audit events about them, newest first. */
  history(userId: string, params: ListParams = {}, options: RequestOptions = {}): PagePromise<AuditEvent> {
    return list<AuditEvent>(this.http, `${this.path}/users/${encodeURIComponent(userId)}/events`, params, options);
  }
}
