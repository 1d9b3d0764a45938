import type { OutboxMessage } from '../../sdk/types.js';
import { randomId } from '../crypto.js';
import type { Mailer, MailMessage } from './types.js';

export interface OutboxOptions {
  log?: (line: string) => void;
  now?: () => Date;
  /** Messages kept from before (a restart). */
  messages?: OutboxMessage[];
  /** Saves a message (the Node entry appends it to a file); `send` does not wait for it. */
  persist?: (message: OutboxMessage) => Promise<void>;
}

/** The dev mailer: keeps every message for `GET /v1/outbox` and logs activation links. */
export class OutboxMailer implements Mailer {
  readonly #messages: OutboxMessage[];

  constructor(private readonly options: OutboxOptions = {}) {
    this.#messages = [...(options.messages ?? [])];
  }

  async send(message: MailMessage): Promise<void> {
    const kept: OutboxMessage = { id: randomId('msg'), ...message, createdAt: (this.options.now?.() ?? new Date()).toISOString() };
    this.#messages.push(kept);
    // A dev tool: the message is listed at once and saved in the background (flushed at shutdown),
    // so an invite waits for one fsync (its own), not two. A crash can lose the last moment's
    // messages, never an invitation (resend it).
    this.options.persist?.(kept).catch((error) => this.options.log?.(`outbox: a message could not be saved: ${String(error)}`));
    if (message.activationUrl) this.options.log?.(`invitation for ${message.to}: ${message.activationUrl}`);
  }

  async list(): Promise<readonly OutboxMessage[]> {
    return this.#messages;
  }
}
