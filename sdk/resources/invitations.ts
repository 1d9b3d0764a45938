import type { Http, RequestOptions } from '../core/http.js';
import type { AcceptInvitationBody, AcceptResult, InvitationLookup, InviteBody, UserResult } from '../types.js';

/** Invitations: invite (takes a license), resend, revoke; look up and accept a token (no sign-in needed). */
export class InvitationsResource {
  constructor(
    private readonly http: Http,
    private readonly path: string,
  ) {}

  /** Invites a person: a license is taken at once and an activation email sent. */
  async create(body: InviteBody, options: RequestOptions = {}): Promise<UserResult> {
    return this.http.post<UserResult>(`${this.path}/invitations`, { ...options, json: body });
  }

  /** Sends the invitation again with a new link (the old one stops working). */
  async resend(userId: string, options: RequestOptions = {}): Promise<UserResult> {
    return this.http.post<UserResult>(`${this.path}/users/${encodeURIComponent(userId)}/invitation/resend`, options);
  }

  /** Revokes a pending invitation: the user is disabled and the license free. */
  async revoke(userId: string, options: RequestOptions = {}): Promise<UserResult> {
    return this.http.delete<UserResult>(`${this.path}/users/${encodeURIComponent(userId)}/invitation`, options);
  }

  /** What an activation page shows for a token (account name, email, names, expiry). */
  async lookup(token: string, options: RequestOptions = {}): Promise<InvitationLookup> {
    return this.http.get<InvitationLookup>(`invitations/${encodeURIComponent(token)}`, { ...options, anonymous: true });
  }

  /** Accepts an invitation: the user is enabled and gets a session token. */
  async accept(token: string, body: AcceptInvitationBody = {}, options: RequestOptions = {}): Promise<AcceptResult> {
    return this.http.post<AcceptResult>(`invitations/${encodeURIComponent(token)}/accept`, { ...options, json: body, anonymous: true });
  }
}
