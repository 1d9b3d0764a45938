import type { OutboxMessage } from '../../sdk/types.js';
import { randomId } from '../crypto.js';
import type { Mailer, MailMessage } from './types.js';

export interface OutboxOptions {
  log?: (line: string) => void;
  now?: () => Date;
  /** Messages kept from before (a restart). */
  messages?: OutboxMessage[];
  /** Makes a message durable before `send` resolves (the Node entry appends it to a file). */
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
    await this.options.persist?.(kept);
    this.#messages.push(kept);
    if (message.activationUrl) this.options.log?.(`invitation for ${message.to}: ${message.activationUrl}`);
  }

  async list(): Promise<readonly OutboxMessage[]> {
    return this.#messages;
  }
}
