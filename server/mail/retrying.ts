import type { Logger } from '../config.js';
import type { Mailer, MailMessage } from './types.js';

/**
 * Sends through another mailer; a failed send is logged and tried again later in the background
 * (the invitation stands meanwhile, and can be resent by hand), so a mail outage never fails
 * or undoes the change that sent the message. The log names the recipient only in lines about a
 * delivery problem, where an operator may have to act on it.
 */
export class RetryingMailer implements Mailer {
  readonly #pending = new Set<Promise<void>>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly inner: Mailer,
    private readonly options: { delaysMs?: number[]; waitMs?: number; log?: Logger } = {},
  ) {}

  async send(message: MailMessage): Promise<void> {
    const first = this.inner.send(message).then(
      () => true,
      (error) => {
        this.#log({ level: 'warn', message: 'mail failed; retrying', to: message.to, error: String(error) });
        this.#retry(message, 0);
        return false;
      },
    );
    // A slow mail server must not hold the change that sent the message: wait a little, then let
    // the first attempt finish in the background.
    const waitMs = this.options.waitMs ?? 2_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = await Promise.race([first, new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), waitMs)))]);
    clearTimeout(timer);
    if (done === 'slow') {
      this.#log({ level: 'warn', message: 'mail is slow; finishing in the background', to: message.to });
      const tracked = first.then(() => undefined).finally(() => this.#pending.delete(tracked));
      this.#pending.add(tracked);
    }
  }

  #retry(message: MailMessage, attempt: number): void {
    const delays = this.options.delaysMs ?? [1_000, 10_000, 60_000, 300_000];
    if (attempt >= delays.length) {
      this.#log({ level: 'error', message: `mail failed ${attempt + 1} times; giving up (resend the invitation)`, to: message.to });
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const sending = this.inner
        .send(message)
        .then(() => this.#log({ level: 'info', message: `mail sent on retry ${attempt + 1}`, to: message.to }))
        .catch((error) => {
          this.#log({ level: 'warn', message: 'mail failed again', to: message.to, error: String(error) });
          this.#retry(message, attempt + 1);
        })
        .finally(() => this.#pending.delete(sending));
      this.#pending.add(sending);
    }, delays[attempt]);
    (timer as { unref?: () => void }).unref?.();
    this.#timers.add(timer);
  }

  /** Messages waiting for a retry or being retried. */
  get retrying(): number {
    return this.#timers.size + this.#pending.size;
  }

  /** Stops retrying (at shutdown) after the sends in flight. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(this.#pending);
  }

  #log(entry: Parameters<Logger>[0]): void {
    this.options.log?.(entry);
  }
}
