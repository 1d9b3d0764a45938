/**
 * Work the server does on its own, on timers (sweeping expired sessions). Timers do not keep a
 * Node process alive; `stop()` clears them and waits for a run in progress. Tests call `run(name)`
 * to do a job now instead of waiting for its timer.
 */
import type { Logger } from './config.js';

export class Jobs {
  readonly #jobs = new Map<string, () => Promise<void>>();
  /** Jobs run once more at `stop()` (work kept in memory until they run), and what else stops with them. */
  readonly #finally: string[] = [];
  readonly #stopping: (() => Promise<void>)[] = [];
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  readonly #running = new Set<Promise<void>>();
  #stopped = false;

  constructor(
    private readonly log: Logger,
    /** With several processes on one store: a timer's run happens in the one process that gets this lease. */
    private readonly lease?: (key: string, ms: number) => Promise<boolean>,
  ) {}

  /**
   * Runs `job` every `everyMs` (never two runs of one job at once); `atStop` runs it once more at
   * `stop()`; `exclusive` runs it in one process only when several share the store.
   */
  schedule(name: string, everyMs: number, job: () => Promise<void>, options: { atStop?: boolean; exclusive?: boolean } = {}): void {
    this.#jobs.set(name, job);
    if (options.atStop) this.#finally.push(name);
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.#stopped) return;
      busy = true;
      void (async () => {
        // Jobs that must run once across processes take a lease for the interval (a lost lease is the next run's).
        if (options.exclusive && this.lease && !(await this.lease(`job:${name}`, everyMs).catch(() => false))) return;
        await this.run(name);
      })().finally(() => {
        busy = false;
      });
    }, everyMs);
    (timer as { unref?: () => void }).unref?.();
    this.#timers.push(timer);
  }

  /** Runs a job now; a failure is logged, not thrown (the next run tries again). */
  async run(name: string): Promise<void> {
    const job = this.#jobs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    const running = job().catch((error) => this.log({ level: 'error', message: `job ${name} failed (it runs again later): ${String(error)}` }));
    this.#running.add(running);
    try {
      await running;
    } finally {
      this.#running.delete(running);
    }
  }

  /** Also stops `stop` at `stop()` (work that runs on its own, such as sending webhooks). */
  onStop(stop: () => Promise<void>): void {
    this.#stopping.push(stop);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.all(this.#running);
    for (const stop of this.#stopping) await stop();
    for (const name of this.#finally) await this.run(name);
  }
}
