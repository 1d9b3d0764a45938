/**
 * How a `<seat-provider>` gives its store to every seatkit element inside it: the context
 * community protocol (the `context-request` event that @lit/context also speaks), in the part
 * seatkit uses. An element asks once connected, with `subscribe`; the nearest provider above it
 * answers at once and again whenever its store changes, until the element disconnects. Written
 * here rather than taken from @lit/context: 0.4 KiB brotli less in the first load, whose budget
 * is 25 KiB (docs/decisions.md).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SeatStore } from './store.js';

/** The context's key, the same object in every copy of seatkit on a page. */
const seatContext = Symbol.for('seatkit/store');

type Callback = (store: SeatStore | undefined, unsubscribe: () => void) => void;

/** `context-request`: bubbles and crosses shadow roots up to the nearest provider of the context. */
class ContextRequestEvent extends Event {
  constructor(
    readonly context: typeof seatContext,
    readonly callback: Callback,
    readonly subscribe: boolean,
  ) {
    super('context-request', { bubbles: true, composed: true });
  }
}

/** The provider's side: answers the requests of the elements inside its host. */
export class StoreProvider {
  #value: SeatStore | undefined;
  readonly #subscribers = new Map<Callback, () => void>();

  constructor(host: HTMLElement) {
    host.addEventListener('context-request', (event) => {
      const request = event as ContextRequestEvent;
      if (request.context !== seatContext) return;
      event.stopPropagation();
      const unsubscribe = () => this.#subscribers.delete(request.callback);
      if (request.subscribe) this.#subscribers.set(request.callback, unsubscribe);
      request.callback(this.#value, unsubscribe);
    });
  }

  get value(): SeatStore | undefined {
    return this.#value;
  }

  setValue(store: SeatStore | undefined): void {
    if (store === this.#value) return;
    this.#value = store;
    for (const [callback, unsubscribe] of this.#subscribers) callback(store, unsubscribe);
  }
}

/** The element's side: asks for the store while its host is connected; `callback` gets each one. */
export class StoreConsumer implements ReactiveController {
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly callback: (store: SeatStore | undefined) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.host.dispatchEvent(
      new ContextRequestEvent(
        seatContext,
        (store, unsubscribe) => {
          this.#unsubscribe = unsubscribe;
          this.callback(store);
        },
        true,
      ),
    );
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}
