/**
 * The *More actions* menu of a `<user-table>` row (WAI-ARIA APG menu button: Enter, Space and the
 * arrows open it; the arrows, Home and End move; Escape closes it and focus returns to its
 * button). Loaded on first use, handed the elements' helpers (see kit.ts); the table draws the
 * menu buttons and keeps which menu is open.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { User } from '../../sdk/types.js';
import type { Localize } from '../common/i18n/localize.js';
import type { Kit } from '../common/kit.js';
import type { Action } from './user-dialogs.js';

/** The text of each action in the menu: the name of its dialog's button, where it has one. */
const LABELS = {
  edit: 'editShort',
  assign: 'assignShort',
  resend: 'resendInvitation',
  reassign: 'reassignConfirm',
  revoke: 'revokeConfirm',
  history: 'viewHistory',
  owner: 'ownerConfirm',
  unassign: 'removeConfirm',
} as const;

const STYLE = `[role='menu'] { position: absolute; inset-inline-end: 0; top: calc(100% + 0.25rem); z-index: 1; min-width: 13rem; padding: 0.25rem;
background: var(--_bg); border: 1px solid var(--_border); border-radius: var(--_radius); box-shadow: 0 8px 24px rgb(0 0 0 / 20%); }
.row-actions [role='menuitem'] { display: block; width: 100%; text-align: start; border: none; font-size: 0.9375rem; }
[role='menuitem']:hover, [role='menuitem']:focus-visible { background: var(--_bg-subtle); } [role='menuitem'].danger-item { color: var(--_danger); }
@container (max-width: 760px) { [role='menu'] { inset-inline: 0 auto; } }`;

export interface MenuHostOptions {
  kit: Kit;
  i18n: Localize;
  /** The user whose menu is open ('' for none), kept by the table. */
  openFor: () => string;
  setOpenFor: (userId: string) => void;
  /** Runs an action chosen in the menu; focus returns to `trigger` afterwards. */
  run: (id: Action, user: User, trigger: HTMLElement) => void;
}

export class RowMenu implements ReactiveController {
  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment },
    private readonly options: MenuHostOptions,
  ) {
    host.addController(this);
    options.kit.addStyles(host, STYLE);
  }

  hostConnected(): void {}

  #items(): HTMLElement[] {
    return [...this.host.renderRoot.querySelectorAll<HTMLElement>('[role="menuitem"]')];
  }

  #button(userId: string): HTMLElement | null {
    return this.host.renderRoot.querySelector<HTMLElement>(`#more-${userId}`);
  }

  async open(userId: string, item: 'first' | 'last'): Promise<void> {
    this.options.setOpenFor(userId);
    await this.host.updateComplete;
    this.#items().at(item === 'first' ? 0 : -1)?.focus();
  }

  /** Closes the menu; focus goes back to its button unless it is moving on by itself (Tab, a click elsewhere). */
  close(focusButton: boolean): void {
    if (focusButton) this.#button(this.options.openFor())?.focus();
    this.options.setOpenFor('');
  }

  readonly #onKey = (event: KeyboardEvent): void => {
    const items = this.#items();
    const index = items.indexOf(this.host.shadowRoot!.activeElement as HTMLElement);
    const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: items.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      items[(moves[event.key]! + items.length) % items.length]!.focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.close(true);
    } else if (event.key === 'Tab') {
      this.close(false);
    }
  };

  /** Focus leaving the open menu's wrapper (not a menu that another just replaced) closes it. */
  onFocusOut(event: FocusEvent): void {
    const wrap = event.currentTarget as HTMLElement;
    const open = this.options.openFor();
    if (open && wrap.querySelector(`#more-${open}`) && !wrap.contains(event.relatedTarget as Node | null)) this.close(false);
  }

  render(user: User, actions: Action[]) {
    const { html } = this.options.kit;
    return html`<div id="menu" part="menu" role="menu" aria-labelledby=${`more-${user.id}`} @keydown=${this.#onKey}>
      ${actions.map(
        (id) => html`<button
          role="menuitem"
          tabindex="-1"
          class=${id === 'unassign' ? 'danger-item' : ''}
          data-action=${id}
          @click=${() => {
            const button = this.#button(user.id)!;
            this.close(true);
            this.options.run(id, user, button);
          }}
        >
          ${this.options.i18n.t(LABELS[id])}
        </button>`,
      )}
    </div>`;
  }
}
