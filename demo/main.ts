/**
 * The demo page: the three elements in one provider, acting as the owner, an admin or a member;
 * the dev outbox, the test clock, a live log of the `seat-*` events and a theme switcher; and two
 * people side by side (two panes, each this page as another person with its own live stream). The same
 * code runs against the demo server (`npm start`) and against the app in the page (static build).
 */
import '../widget/index.js';
import { SeatClient } from '../sdk/client.js';
import { SeatError } from '../sdk/core/errors.js';
import type { OutboxMessage, User } from '../sdk/types.js';
import type { SeatProvider, SeatEventType, SeatStore } from '../widget/index.js';
import { HttpDemoBackend, type DemoBackend, type DemoRole, type DemoState, type DemoWebhook } from './backend.js';

declare const __DEMO_STATIC__: boolean;

/** What the demo page shares with its panes (same origin): the backend, and the theme. */
interface DemoWindow extends Window {
  seatkitDemo?: { backend: DemoBackend };
  seatkitApplyTheme?: (theme: Theme) => void;
}

const EVENTS = [
  'seat-user-invited',
  'seat-invitation-resent',
  'seat-invitation-revoked',
  'seat-license-assigned',
  'seat-license-unassigned',
  'seat-license-reassigned',
  'seat-user-updated',
  'seat-licenses-changed',
  'seat-owner-changed',
  'seat-bulk-completed',
  'seat-users-imported',
  'seat-reclaim-policy-changed',
  'seat-bulk-request',
  'seat-unassign-request',
  'seat-reassign-request',
  'seat-revoke-request',
  'seat-owner-change-request',
  'seat-licenses-change-request',
  'seat-purchase-request',
  'seat-error',
  'seat-session-expired',
] as const satisfies readonly SeatEventType[];

const THEMES = ['light', 'dark', 'evergreen'] as const;
type Theme = (typeof THEMES)[number];
const THEME_KEY = 'seatkit-demo:theme';
const LOG_LIMIT = 100;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const provider = $<SeatProvider>('provider');
const roleSelect = $<HTMLSelectElement>('role');
const themeSelect = $<HTMLSelectElement>('theme');
const statusLine = $('status');

const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const dateOnly = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });
const time = new Intl.DateTimeFormat('en', { timeStyle: 'medium' });

function say(message: string, kind: 'info' | 'error' = 'info'): void {
  statusLine.textContent = message;
  statusLine.dataset.kind = kind;
}

function messageOf(error: unknown): string {
  if (error instanceof SeatError) return error.detail || error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Creates an element with text (never HTML: names and emails are user input). */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

async function createBackend(): Promise<DemoBackend> {
  if (__DEMO_STATIC__) return (await import('./browser-backend.js')).createBrowserBackend();
  return new HttpDemoBackend(location.origin);
}

function activationToken(): string | null {
  const path = /\/activate\/([^/]+)$/.exec(location.pathname);
  const hash = /^#\/activate\/(.+)$/.exec(location.hash);
  const raw = path?.[1] ?? hash?.[1];
  return raw ? decodeURIComponent(raw) : null;
}

// ---- theme ---------------------------------------------------------------------------------

function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  // The elements follow their `theme` attribute; the custom theme is a light one with other tokens.
  for (const element of document.querySelectorAll('seat-banner, invite-form, user-table, seat-usage')) {
    element.setAttribute('theme', theme === 'dark' ? 'dark' : 'light');
  }
  themeSelect.value = theme;
  // The side-by-side panes follow.
  for (const frame of document.querySelectorAll('iframe')) (frame.contentWindow as DemoWindow | null)?.seatkitApplyTheme?.(theme);
}

function initTheme(): void {
  const saved = localStorage.getItem(THEME_KEY) as Theme | null;
  const preferred: Theme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  applyTheme(saved && THEMES.includes(saved) ? saved : preferred);
  themeSelect.addEventListener('change', () => {
    const theme = themeSelect.value as Theme;
    localStorage.setItem(THEME_KEY, theme);
    applyTheme(theme);
  });
}

// ---- event log -----------------------------------------------------------------------------

interface LooseDetail {
  user?: User;
  users?: User[];
  from?: User;
  to?: User;
  reason?: string;
  needed?: number;
  quantity?: number;
  currentQuantity?: number;
  amountDue?: number;
  currency?: string;
  licenses?: { inUse: number; quantity: number; scheduled: { quantity: number; effectiveAt: string } | null } | null;
  error?: { code?: string; detail?: string; message: string };
  action?: string;
}

const fullName = (user: User) => `${user.firstName} ${user.lastName}`;

function summarize(detail: LooseDetail): string {
  if (detail.error) return `${detail.action ?? ''}: ${detail.error.code ?? ''} ${detail.error.detail || detail.error.message}`.trim();
  if (detail.from && detail.to) return `${fullName(detail.from)} → ${fullName(detail.to)}`;
  if (detail.user) return `${fullName(detail.user)} <${detail.user.email}>, ${detail.user.role}, ${detail.user.status}`;
  if (detail.users) return detail.users.map((user) => `${fullName(user)} (${user.role}, ${user.status})`).join('; ');
  if (detail.reason) return detail.reason;
  if (detail.needed !== undefined) return `${detail.needed} more license(s) needed`;
  if (detail.amountDue !== undefined && detail.quantity !== undefined) {
    const money = new Intl.NumberFormat('en', { style: 'currency', currency: detail.currency ?? 'USD' }).format(detail.amountDue / 100);
    return `${detail.currentQuantity} → ${detail.quantity} licenses, due now ${money}`;
  }
  const l = detail.licenses;
  if (l) return `${l.inUse} of ${l.quantity} in use${l.scheduled ? `, ${l.scheduled.quantity} from ${dateOnly.format(new Date(l.scheduled.effectiveAt))}` : ''}`;
  return '';
}

function logEvent(event: Event): void {
  const list = $('log');
  const detail = ((event as CustomEvent).detail ?? {}) as LooseDetail;
  const item = el(
    'li',
    { className: event.type === 'seat-error' || event.type === 'seat-session-expired' ? 'alert' : '' },
    el('time', { dateTime: new Date().toISOString(), textContent: time.format(new Date()) }),
    ' ',
    el('code', { textContent: event.type }),
    el('span', { className: 'detail', textContent: summarize(detail) }),
  );
  list.prepend(item);
  while (list.children.length > LOG_LIMIT) list.lastElementChild?.remove();
}

// ---- outbox --------------------------------------------------------------------------------

function renderOutbox(messages: OutboxMessage[]): void {
  const list = $('outbox');
  list.replaceChildren(
    ...messages.slice(0, 20).map((message) =>
      el(
        'li',
        {},
        el('span', { className: 'subject', textContent: message.subject }),
        el('span', { className: 'meta', textContent: `To ${message.to} · ${dateTime.format(new Date(message.createdAt))} UTC` }),
        ...(message.activationUrl
          ? [el('a', { href: message.activationUrl, className: 'activation-link', textContent: 'Open activation link', ariaLabel: `Open activation link for ${message.to}` })]
          : []),
      ),
    ),
  );
  if (messages.length === 0) list.append(el('li', { className: 'muted', textContent: 'No emails yet.' }));
}

// ---- webhook deliveries --------------------------------------------------------------------

/** Shown only when the server has a webhook endpoint (added with the API key). */
function renderWebhooks(webhooks: DemoWebhook[]): void {
  $('webhooks-panel').hidden = webhooks.length === 0;
  $('webhooks').replaceChildren(
    ...webhooks.map(({ endpoint, deliveries }) =>
      el(
        'div',
        { className: 'webhook' },
        el('p', { className: 'endpoint' }, el('code', { textContent: endpoint.url }), endpoint.disabled ? ' (disabled)' : ''),
        el(
          'ol',
          { className: 'outbox', ariaLabel: `Deliveries to ${endpoint.url}, newest first` },
          ...(deliveries.length === 0
            ? [el('li', { className: 'muted', textContent: 'No deliveries yet.' })]
            : deliveries.map((d) =>
                el(
                  'li',
                  {},
                  el('span', { className: 'subject', textContent: `${d.type}: ${d.status}` }),
                  el('span', {
                    className: 'meta',
                    textContent: `${dateTime.format(new Date(d.createdAt))} UTC · ${d.attempts} ${d.attempts === 1 ? 'attempt' : 'attempts'}${
                      d.lastResponseStatus ? ` · HTTP ${d.lastResponseStatus}` : ''
                    }${d.lastError ? ` · ${d.lastError}` : ''}`,
                  }),
                ),
              )),
        ),
      ),
    ),
  );
}

// ---- the workspace -------------------------------------------------------------------------

function renderClock(store: SeatStore | undefined): void {
  const account = store?.account;
  if (!account) return;
  const now = account.testClock?.now;
  const { periodStart, periodEnd } = account.billing;
  $('clock').textContent =
    `${now ? `Test clock: ${dateTime.format(new Date(now))} UTC. ` : ''}` +
    `Billing period ${dateOnly.format(new Date(periodStart))} – ${dateOnly.format(new Date(periodEnd))}.`;
}

async function workspace(backend: DemoBackend): Promise<void> {
  let state: DemoState = await backend.state();
  let role: DemoRole = 'owner';
  let watched: SeatStore | undefined;

  const renderState = () => {
    $('account-name').textContent = `${state.accountName} · ${backend.kind === 'browser' ? 'running in your browser (static build)' : 'served by the demo server'}`;
    for (const option of roleSelect.options) {
      const person = state.people[option.value as DemoRole];
      const label = option.value[0]!.toUpperCase() + option.value.slice(1);
      option.textContent = person ? `${label}: ${person.name}` : `${label} (nobody eligible)`;
      option.disabled = !person;
    }
  };

  const watchStore = () => {
    const store = provider.store;
    if (store === watched) return;
    watched?.removeEventListener('change', onStoreChange);
    watched = store;
    store?.addEventListener('change', onStoreChange);
    renderClock(store);
  };
  const onStoreChange = () => renderClock(watched);

  /** A fresh store for the provider: every element reloads (a new viewer, or a new period). */
  const reconnect = async () => {
    provider.accountId = undefined;
    await provider.updateComplete;
    provider.baseUrl = backend.baseUrl;
    provider.accountId = state.accountId;
    await provider.updateComplete;
    watchStore();
  };

  const actAs = async (next: DemoRole) => {
    roleSelect.disabled = true;
    try {
      const session = await backend.session(next);
      role = next;
      provider.token = session.token;
      await reconnect();
      $('viewer').textContent = `(acting as ${fullName(session.user)}, ${next})`;
      say(`Acting as ${fullName(session.user)} (${next}).`);
    } catch (error) {
      say(`Could not act as ${next}: ${messageOf(error)}`, 'error');
    } finally {
      roleSelect.value = role;
      roleSelect.disabled = false;
    }
  };

  const refreshOutbox = async () => {
    try {
      renderOutbox(await backend.outbox());
    } catch (error) {
      say(`Could not load the outbox: ${messageOf(error)}`, 'error');
    }
  };

  const refreshWebhooks = async () => {
    try {
      renderWebhooks(await backend.webhooks());
    } catch (error) {
      say(`Could not load the webhook deliveries: ${messageOf(error)}`, 'error');
    }
  };

  for (const type of EVENTS) {
    provider.addEventListener(type, (event) => {
      logEvent(event);
      if (type === 'seat-session-expired') {
        $('viewer').textContent = '(signed out)';
        say('The session ended (after an ownership transfer the old owner is signed out). Choose who to act as.', 'error');
      }
      if (type.endsWith('-request') || type === 'seat-error') return;
      void refreshOutbox();
      void refreshWebhooks();
      // A change may make someone else the owner, an admin or a member to act as (a role edit, a
      // removal, an ownership transfer): the "Act as" list follows.
      void backend.state().then((next) => {
        state = next;
        renderState();
      });
    });
  }

  roleSelect.addEventListener('change', () => void actAs(roleSelect.value as DemoRole));
  $('refresh-outbox').addEventListener('click', () => void refreshOutbox());
  $('refresh-webhooks').addEventListener('click', () => void refreshWebhooks());
  $('clear-log').addEventListener('click', () => $('log').replaceChildren());
  const advance = $<HTMLButtonElement>('advance');
  advance.addEventListener('click', async () => {
    advance.disabled = true;
    try {
      const clock = await backend.advanceClock();
      // A new period may release licenses: reload the account (and the users with it).
      await provider.store?.load();
      await reconnect();
      say(`The next period started: ${dateOnly.format(new Date(clock.periodStart))} – ${dateOnly.format(new Date(clock.periodEnd))}.`);
    } catch (error) {
      say(`Could not advance the clock: ${messageOf(error)}`, 'error');
    } finally {
      advance.disabled = false;
    }
  });
  const reset = $<HTMLButtonElement>('reset');
  reset.addEventListener('click', async () => {
    if (!confirm('Reset the demo? This seeds a fresh account; the changes you made are dropped.')) return;
    reset.disabled = true;
    try {
      state = await backend.reset();
      renderState();
      $('log').replaceChildren();
      await actAs('owner');
      await refreshOutbox();
      await refreshWebhooks();
      say('The demo was reset: a fresh account, acting as the owner.');
    } catch (error) {
      say(`Could not reset the demo: ${messageOf(error)}`, 'error');
    } finally {
      reset.disabled = false;
    }
  });

  // Two people side by side: two panes, each the demo page of its own with its own session and live stream.
  (window as DemoWindow).seatkitDemo = { backend };
  const sideBySide = $<HTMLButtonElement>('side-by-side');
  sideBySide.addEventListener('click', () => {
    const on = sideBySide.getAttribute('aria-pressed') !== 'true';
    sideBySide.setAttribute('aria-pressed', String(on));
    $('panes').hidden = !on;
    $('workspace').hidden = on;
    roleSelect.disabled = on;
    for (const role of ['owner', 'admin'] as const) {
      const frame = $<HTMLIFrameElement>(`pane-${role}`);
      // Leaving the view closes the panes (and their streams).
      frame.src = on ? `${location.pathname}?pane=${role}` : 'about:blank';
    }
    say(on ? 'Two pages side by side: the owner on the left, an admin on the right.' : `Acting as the ${role} again.`);
  });
  sideBySide.disabled = false;

  renderState();
  $('workspace').hidden = false;
  await actAs('owner');
  await refreshOutbox();
  await refreshWebhooks();
}

// ---- one pane of "two people side by side" -------------------------------------------------

async function pane(role: DemoRole): Promise<void> {
  document.documentElement.dataset.pane = role;
  (window as DemoWindow).seatkitApplyTheme = applyTheme;
  const backend = window.parent !== window ? (window.parent as DemoWindow).seatkitDemo?.backend : undefined;
  if (!backend) {
    say('This is one pane of the demo: open the demo and choose "Two people side by side".', 'error');
    return;
  }
  try {
    const [session, state] = await Promise.all([backend.session(role), backend.state()]);
    $('account-name').textContent = `${state.accountName} · ${fullName(session.user)}'s page (${role})`;
    $('viewer').textContent = `(acting as ${fullName(session.user)}, ${role})`;
    provider.addEventListener('seat-session-expired', () => {
      $('viewer').textContent = '(signed out)';
      say(`${fullName(session.user)} is signed out here: the session ended (the owner role went to someone else, or the license was removed).`, 'error');
    });
    provider.baseUrl = backend.baseUrl;
    provider.accountId = state.accountId;
    provider.token = session.token;
    $('workspace').hidden = false;
  } catch (error) {
    say(`Could not act as ${role}: ${messageOf(error)}`, 'error');
  }
}

// ---- the activation page -------------------------------------------------------------------

async function activation(backend: DemoBackend, token: string): Promise<void> {
  $('activation').hidden = false;
  roleSelect.closest('.control')?.setAttribute('hidden', '');
  $<HTMLButtonElement>('reset').hidden = true;
  const body = $('activation-body');
  const back = () => el('p', {}, el('a', { href: backend.kind === 'browser' ? location.pathname : '/', textContent: 'Back to the demo (acting as the owner)' }));
  // The SDK's invitation calls need no account and no sign-in.
  const client = new SeatClient({ baseUrl: backend.baseUrl, accountId: 'none' });
  try {
    const invitation = await client.invitations.lookup(token);
    $('account-name').textContent = invitation.accountName;
    const accept = el('button', { type: 'button', className: 'primary', textContent: 'Accept invitation and sign in' });
    body.replaceChildren(
      el(
        'p',
        {},
        'You were invited to join ',
        el('strong', { textContent: invitation.accountName }),
        ' as ',
        el('strong', { textContent: `${invitation.firstName} ${invitation.lastName}` }),
        ` (${invitation.email}).`,
      ),
      el('p', { className: 'muted', textContent: `The invitation expires on ${dateTime.format(new Date(invitation.expiresAt))} UTC.` }),
      accept,
      back(),
    );
    accept.addEventListener('click', async () => {
      accept.disabled = true;
      try {
        const result = await client.invitations.accept(token);
        const banner = el('seat-banner');
        banner.setAttribute('theme', themeSelect.value === 'dark' ? 'dark' : 'light');
        const own = el('seat-provider', { baseUrl: backend.baseUrl, accountId: result.user.accountId, token: result.token }, banner);
        body.replaceChildren(
          el('p', { className: 'success', role: 'status', textContent: `Welcome, ${fullName(result.user)}: you are signed in to ${invitation.accountName}.` }),
          el('p', { className: 'muted', textContent: `What you see as ${result.user.role === 'admin' ? 'an admin' : 'a member'}:` }),
          own,
          back(),
        );
      } catch (error) {
        accept.disabled = false;
        say(`Could not accept the invitation: ${messageOf(error)}`, 'error');
      }
    });
  } catch (error) {
    const gone = error instanceof SeatError && error.status === 410;
    body.replaceChildren(
      el('p', {
        className: 'error',
        role: 'alert',
        textContent: gone
          ? 'This invitation has expired. Ask an admin to resend it.'
          : `This activation link is not valid any more (used, revoked or replaced by a newer one). ${messageOf(error)}`,
      }),
      back(),
    );
  }
}

async function main(): Promise<void> {
  initTheme();
  // Static build: an activation link only changes the hash; show the activation page for it.
  addEventListener('hashchange', () => {
    if (activationToken()) location.reload();
  });
  const paneRole = new URLSearchParams(location.search).get('pane');
  if (paneRole === 'owner' || paneRole === 'admin') return pane(paneRole);
  try {
    const backend = await createBackend();
    const token = activationToken();
    if (token) await activation(backend, token);
    else await workspace(backend);
  } catch (error) {
    say(`The demo could not start: ${messageOf(error)}`, 'error');
  }
}

void main();
