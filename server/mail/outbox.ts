import type { OutboxMessage } from '../../sdk/types.js';
import { randomId } from '../crypto.js';
import type { Mailer, MailMessage } from './types.js';

/** The dev mailer: keeps every message for `GET /v1/outbox` and logs activation links. */
export class OutboxMailer implements Mailer {
  readonly #messages: OutboxMessage[] = [];
  readonly #log: (line: string) => void;
  readonly #now: () => Date;

  constructor(options: { log?: (line: string) => void; now?: () => Date } = {}) {
    this.#log = options.log ?? (() => {});
    this.#now = options.now ?? (() => new Date());
  }

  async send(message: MailMessage): Promise<void> {
    this.#messages.push({ id: randomId('msg'), ...message, createdAt: this.#now().toISOString() });
    if (message.activationUrl) this.#log(`invitation for ${message.to}: ${message.activationUrl}`);
  }

  async list(): Promise<readonly OutboxMessage[]> {
    return this.#messages;
  }
}
