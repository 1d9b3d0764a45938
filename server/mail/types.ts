import type { OutboxMessage } from '../../sdk/types.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The activation link, when the message is an invitation. */
  activationUrl: string | null;
}

/** Sends mail. The dev outbox keeps it for `GET /v1/outbox`; SMTP delivers it. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Sent messages, oldest first; only mailers that keep them (the dev outbox) have it. */
  list?(): Promise<readonly OutboxMessage[]>;
}
