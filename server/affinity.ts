/**
 * Account affinity for several processes on one PostgreSQL database (`SEATKIT_PEER_URL`): each
 * account's changes are made by one process, its owner, so that process's copy of the account is
 * always current and a change commits in one statement instead of locking and catching up (on two
 * cores, 3 processes taking one account's changes as they came made 354 a second, p95 49 ms; with
 * them forwarded to one process, 584–767 a second, p95 22–28 ms: docs/performance.md).
 *
 * Every process writes its address to `seatkit_peers` every two seconds; the owner of an account
 * is the live process that hashes highest with the account's id (rendezvous hashing: a process
 * that comes or goes moves only its own share). A change (any method but GET, HEAD, OPTIONS) under
 * `/v1/accounts/{id}` that reaches another process is sent on to the owner over HTTP and its answer
 * relayed as it is. Reads and streams stay where they land.
 *
 * Affinity is an optimisation, never a rule: the account's row lock keeps every change correct
 * wherever it runs. So a process handles the change itself whenever forwarding could not have
 * reached the owner (no connection, the owner not heard of for six seconds, the database away), and
 * a forwarded request is never forwarded again. Only a connection lost after the request went out
 * is answered 503 `storage_unavailable` (the change may have been made: retry, with the same
 * `Idempotency-Key`), since running it here could make it twice.
 */
import { createHash } from 'node:crypto';
import { Agent, request, type IncomingMessage, type OutgoingHttpHeaders, type RequestListener, type ServerResponse } from 'node:http';
import { ApiError, FRONT_ERROR } from './errors.js';
import type { Logger } from './config.js';

/** Where processes note that they are up (the PostgreSQL store). */
export interface PeerRegistry {
  /** Notes `url` as up; answers every address noted within `liveMs`. */
  beat(url: string, liveMs: number): Promise<string[]>;
  leave(url: string): Promise<void>;
}

export interface AffinityOptions {
  /** This process's address as its peers reach it (`http://host:port`). */
  self: string;
  registry: PeerRegistry;
  log: Logger;
  /** Largest body forwarded; a larger one is handled here (and refused by the body limit). */
  maxBody: number;
  beatMs?: number;
  liveMs?: number;
  /** Called when a forwarded change is answered (for the request log). */
  answered?: (req: IncomingMessage, answer: ForwardedAnswer) => void;
}

/** A forwarded change's answer, for the request log: `started` is `performance.now()` when it came. */
export interface ForwardedAnswer {
  status: number;
  owner: string;
  requestId: string | null;
  started: number;
}

/** Marks a forwarded request: it is handled where it arrives, never sent on again. */
export const FORWARDED_HEADER = 'x-seatkit-forwarded';

const PREFIX = '/v1/accounts/';
/** Headers of one connection, not of the message (RFC 9110 §7.6.1), and `Expect` (this process answered it). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect']);
/** How long a connection to a peer may take before the change is handled here. */
const CONNECT_MS = 1000;
/** How long a peer may take to answer a change (its own queries give up after 6 s). */
const ANSWER_MS = 30_000;
/** How long a peer that could not be reached is left alone. */
const DOWN_MS = 5000;

export class AccountAffinity {
  readonly #options: Required<Omit<AffinityOptions, 'answered'>> & Pick<AffinityOptions, 'answered'>;
  /** Idle connections close before a peer's server would close them (Node's default keep-alive timeout: 5 s). */
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 32, timeout: 2000, noDelay: true });
  #peers: string[] = [];
  #heardAt = -Infinity;
  readonly #down = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(options: AffinityOptions) {
    this.#options = { ...options, beatMs: options.beatMs ?? 2000, liveMs: options.liveMs ?? 6000 };
  }

  /** How often the process notes itself as up (and learns who else is). */
  get beatMs(): number {
    return this.#options.beatMs;
  }

  /** Notes this process as up (now and every two seconds). A database away now is not an error: the next beat tries again. */
  async start(): Promise<void> {
    await this.#beat();
  }

  /** Stops noting this process and tells the peers it is going (changes already sent on still get their answers). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#options.registry.leave(this.#options.self).catch(() => undefined);
  }

  /** Closes the connections to the peers, once nothing is being sent on. */
  close(): void {
    this.#agent.destroy();
  }

  async #beat(): Promise<void> {
    try {
      const peers = (await this.#options.registry.beat(this.#options.self, this.#options.liveMs)).sort();
      this.#heardAt = Date.now();
      if (peers.join(' ') !== this.#peers.join(' ')) {
        this.#options.log({ level: 'info', message: `affinity: ${peers.length} process${peers.length === 1 ? '' : 'es'} share the accounts' changes`, peers });
        this.#peers = peers;
      }
    } catch {
      // The database is away: every request fails over to 503 anyway, and the view expires.
    }
    if (!this.#stopped) (this.#timer = setTimeout(() => void this.#beat(), this.#options.beatMs)).unref();
  }

  /** The process that makes the account's changes, or undefined when that is this one or nobody is known. */
  owner(accountId: string): string | undefined {
    if (Date.now() - this.#heardAt > this.#options.liveMs || this.#peers.length < 2) return undefined;
    let owner = this.#options.self;
    let best = -1;
    for (const peer of this.#peers) {
      const score = createHash('sha1').update(peer).update('\n').update(accountId).digest().readUInt32BE(0);
      if (score > best) [best, owner] = [score, peer];
    }
    if (owner === this.#options.self || (this.#down.get(owner) ?? 0) > Date.now()) return undefined;
    return owner;
  }

  /**
   * Sends a change on to its account's owner and relays the answer (true), or leaves the request
   * to this process (false). `local` handles it here after all, should the owner be unreachable.
   */
  forward(req: IncomingMessage, res: ServerResponse, local: RequestListener): boolean {
    const { method = 'GET', url = '/' } = req;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || !url.startsWith(PREFIX)) return false;
    if (req.headers[FORWARDED_HEADER] !== undefined) return false;
    const rest = url.slice(PREFIX.length);
    const end = rest.search(/[/?#]/);
    const owner = this.owner(end === -1 ? rest : rest.slice(0, end));
    if (!owner) return false;
    // A body of unknown length, or too large for any route, is the app's to refuse.
    const length = req.headers['content-length'];
    if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && !(Number(length) <= this.#options.maxBody))) return false;
    const started = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // Sent after the events the same poll brought in: a peer killed meanwhile has its kept-alive
    // connections closed by then, rather than this change written into one (and answered 503).
    req.on('end', () => setImmediate(() => this.#send(owner, req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), local, started)));
    // A client that goes away mid-body: nothing was sent, nothing to answer.
    req.on('error', () => undefined);
    return true;
  }

  #send(owner: string, req: IncomingMessage, res: ServerResponse, body: Buffer, local: RequestListener, started: number): void {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
    headers[FORWARDED_HEADER] = this.#options.self;
    // The body as received, whatever length the client announced.
    headers['content-length'] = body.length;
    const { hostname, port } = new URL(owner);
    const out = request({ agent: this.#agent, hostname, port, method: req.method, path: req.url, headers });
    let connected = false;
    let settled = false;
    let connecting: ReturnType<typeof setTimeout> | undefined;
    const answering = setTimeout(() => out.destroy(new Error(`${owner} did not answer within ${ANSWER_MS / 1000} s`)), ANSWER_MS);
    out.on('socket', (socket) => {
      if (!socket.connecting) return void (connected = true);
      connecting = setTimeout(() => out.destroy(new Error(`no connection to ${owner} within ${CONNECT_MS} ms`)), CONNECT_MS);
      socket.once('connect', () => {
        connected = true;
        clearTimeout(connecting);
      });
    });
    out.on('response', (answer) => {
      settled = true;
      clearTimeout(connecting);
      const raw = answer.rawHeaders;
      const relayed: string[] = [];
      for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) relayed.push(raw[i]!, raw[i + 1]!);
      res.writeHead(answer.statusCode ?? 502, relayed);
      answer.pipe(res);
      // The client left: drain the peer's answer so the connection can serve the next change.
      res.on('close', () => answer.resume());
      answer.on('end', () => {
        clearTimeout(answering);
        const requestId = answer.headers['x-request-id'];
        this.#options.answered?.(req, { status: answer.statusCode ?? 502, owner, requestId: typeof requestId === 'string' ? requestId : null, started });
      });
    });
    out.on('error', (error) => {
      clearTimeout(connecting);
      clearTimeout(answering);
      if (settled) return res.destroy();
      settled = true;
      const withBody = Object.assign(req, { rawBody: body });
      if (!connected) {
        // The owner never had the request: this process makes the change, and leaves the owner alone a while.
        this.#down.set(owner, Date.now() + DOWN_MS);
        this.#options.log({ level: 'warn', message: `affinity: ${owner} cannot be reached (${error.message}); changes for its accounts are made here for ${DOWN_MS / 1000} s` });
        return local(withBody, res);
      }
      this.#options.log({ level: 'warn', message: `affinity: ${owner} did not answer a forwarded change (${error.message})` });
      (withBody as unknown as Record<string, unknown>)[FRONT_ERROR] = new ApiError(
        'storage_unavailable',
        'The process that makes this account’s changes stopped answering; the change may or may not have been made. Try again (with the same Idempotency-Key).',
        { headers: { 'Retry-After': '1' } },
      );
      local(withBody, res);
    });
    out.end(body);
  }
}
