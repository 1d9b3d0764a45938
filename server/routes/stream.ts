import { createRoute } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { can } from '../domain/permissions.js';
import { sessionAuth } from '../http/auth.js';
import { router } from '../http/context.js';
import { accountSecurity, problems } from '../openapi.js';
import * as s from '../schemas.js';
import { parseLastEventId, runStream, type StreamSlot } from '../streams.js';

export const stream = router();

const EVENTS = [
  '`event: change`, `id:` the change’s sequence, `data:` a `StreamChange` JSON object: after each committed change of the account (another admin, another tab, the host back end, another server process, a renewal).',
  '`event: ready`, `id:` the current sequence, `data: {"sequence", "resumed"}`: once per connection, after the missed changes when resuming.',
  '`event: reset`, `data: {"sequence"}`: the changes after `Last-Event-ID` can no longer be told (or the reader fell too far behind): reload what you show.',
  '`event: session-ended`, `data: {"reason"}` (`expired`, `owner_transferred`, `license_removed`, `revoked`), then the stream closes: sign in again.',
  'A comment line (`: keep-alive`) at least every 15 s.',
];

stream.openapi(
  createRoute({
    method: 'get',
    path: '/accounts/{accountId}/stream',
    tags: ['Live'],
    summary: 'Live updates of the account as server-sent events (read it with fetch: it needs the Authorization header)',
    description: `${EVENTS.map((line) => `- ${line}`).join('\n')}\n\nResume with \`Last-Event-ID\` (or \`?lastEventId=\`). Streams per session and per account are capped (429 \`too_many_streams\`).`,
    security: accountSecurity,
    middleware: [sessionAuth()] as const,
    request: { params: s.AccountParams, query: s.StreamQuery },
    responses: {
      200: { description: 'The event stream (each `change` event’s data is a StreamChange)', content: { 'text/event-stream': { schema: s.StreamChange } } },
      ...problems(401, 404, 429),
    },
  }),
  (c) => {
    const { accountId } = c.req.valid('param');
    const { hub, store, clock } = { hub: c.var.deps.streams, store: c.var.deps.store, clock: c.var.deps.clock };
    const lastEventId = parseLastEventId(c.req.header('Last-Event-ID') ?? c.req.valid('query').lastEventId);
    const viewer = c.var.viewer;
    const session = viewer && c.var.account.sessions.get(c.var.sessionHash ?? '');
    const slot: StreamSlot = { accountId, sessionHash: c.var.sessionHash, stop: () => {} };
    // Refused here (429), before the answer starts.
    const release = hub.admit(slot);
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, (sse) =>
      runStream(sse, {
        hub,
        store,
        clock,
        accountId,
        lastEventId,
        signal: c.req.raw.signal,
        slot,
        release,
        log: c.var.deps.config.log,
        viewer: viewer && session ? { userId: viewer.id, sessionHash: c.var.sessionHash!, expiresAt: session.expiresAt, canReadUsers: can(viewer, 'users:read') } : null,
      }),
    );
  },
);
