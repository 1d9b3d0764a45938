import type { OutboxMessage } from '../../sdk/types.js';
import { randomId } from '../crypto.js';
import type { Mailer, MailMessage } from './types.js';

export interface OutboxOptions {
  now?: () => Date;
  /** Messages to start with (the static demo keeps its own between page loads). */
  messages?: OutboxMessage[];
}

/**
 * The dev mailer: keeps every message for `GET /v1/outbox`, in memory only. Its messages hold
 * activation links, which are secrets (whoever opens one first activates the invitation): they
 * are neither logged nor written to the data folder, and a restart empties the outbox (resend an
 * invitation to get a new link).
 */
export class OutboxMailer implements Mailer {
  readonly #messages: OutboxMessage[];

  constructor(private readonly options: OutboxOptions = {}) {
    this.#messages = [...(options.messages ?? [])];
  }

  async send(message: MailMessage): Promise<void> {
    this.#messages.push({ id: randomId('msg'), ...message, createdAt: (this.options.now?.() ?? new Date()).toISOString() });
  }

  async list(): Promise<readonly OutboxMessage[]> {
    return this.#messages;
  }
}
