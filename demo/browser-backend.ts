/**
 * The static build's backend: the real app (`createApp` with a `MemoryStore`) runs in the page and
 * MSW's service worker hands it every request the elements make. The data (store, outbox, which
 * account is the demo's) is kept in localStorage; session tokens never are: they are minted on
 * each load and live in memory.
 */
import { http } from 'msw';
import { setupWorker } from 'msw/browser';
import type { OutboxMessage } from '../sdk/types.js';
import { createApp } from '../server/app.js';
import { OutboxMailer } from '../server/mail/outbox.js';
import { MemoryStore, type MemorySnapshot } from '../server/store/memory.js';
import { DemoOps, type DemoBackend, type DemoMarker } from './backend.js';

const STORAGE_KEY = 'seatkit-demo:v1';

interface Saved {
  marker: DemoMarker | null;
  store: MemorySnapshot;
  outbox: OutboxMessage[];
}

function load(): Saved | undefined {
  try {
    const text = localStorage.getItem(STORAGE_KEY);
    return text ? (JSON.parse(text) as Saved) : undefined;
  } catch {
    return undefined;
  }
}

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `sk_demo_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** One in-page server: store, outbox, app and the demo operations over them. */
function boot(saved: Saved | undefined, inviteUrl: string, onSeeded: (marker: DemoMarker) => void) {
  const store = saved ? MemoryStore.restore(saved.store) : new MemoryStore();
  const mailer = new OutboxMailer({ messages: saved?.outbox ?? [] });
  // A key of this page load only: nothing outside the page can use it.
  const apiKey = randomKey();
  const app = createApp({ store, mailer, config: { apiKey, inviteUrl, rateLimits: false } });
  const ops = new DemoOps({ app, apiKey, known: saved?.marker ?? undefined, saveMarker: onSeeded });
  return { store, mailer, app, ops };
}

export async function createBrowserBackend(): Promise<DemoBackend> {
  const pageUrl = new URL(location.href);
  pageUrl.hash = '';
  pageUrl.search = '';
  // Static hosting has no /activate/{token} route: the page reads the token from its hash.
  const inviteUrl = `${pageUrl.href}#/activate/{token}`;
  const baseUrl = new URL('seatkit-api', pageUrl).href;
  let marker: DemoMarker | null = load()?.marker ?? null;
  let server = boot(load(), inviteUrl, (value) => void (marker = value));

  const save = async () => {
    const saved: Saved = { marker, store: server.store.snapshot(), outbox: [...(await server.mailer.list())] };
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
    } catch {
      // Storage full or disabled: the demo keeps working for this page load.
    }
  };

  await setupWorker(
    http.all(`${baseUrl}/*`, async ({ request }) => {
      const url = new URL(request.url);
      url.pathname = url.pathname.slice(new URL(baseUrl).pathname.length);
      const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer();
      const response = await server.app.fetch(new Request(url, { method: request.method, headers: request.headers, body }));
      // Every request may change the state (even a read settles a period that has ended).
      await save();
      return response;
    }),
  ).start({
    quiet: true,
    onUnhandledRequest: 'bypass',
    serviceWorker: { url: new URL('mockServiceWorker.js', pageUrl).pathname },
  });

  const run = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } finally {
      await save();
    }
  };

  return {
    kind: 'browser',
    baseUrl,
    state: () => run(() => server.ops.state()),
    session: (role) => run(() => server.ops.session(role)),
    outbox: () => run(() => server.ops.outbox()),
    webhooks: () => run(() => server.ops.webhooks()),
    advanceClock: () => run(() => server.ops.advanceClock()),
    reset: () =>
      run(() => {
        marker = null;
        server = boot(undefined, inviteUrl, (value) => void (marker = value));
        return server.ops.state();
      }),
  };
}
