/**
 * Text and formats for an element (a reactive controller, after Shoelace's LocalizeController):
 * the element's `locale` and `messages`, else its provider's, else the page's `lang`, else English.
 * `Intl` formats money (minor units) and dates.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { SeatError } from '../../../sdk/core/errors.js';
import type { Role } from '../../../sdk/types.js';
import { en, type Messages } from './en.js';
import type { SeatStore } from '../store.js';

/** English, with the text of each part loaded on first use once it is loaded. */
const english: Partial<Messages> = { ...en };
const catalogues = new Map<string, Partial<Messages>>([['en', english]]);

/** A part loaded on first use (bulk actions, CSV import, usage) brings its English text. */
export function addEnglish(messages: Partial<Messages>): void {
  Object.assign(english, messages);
}

/** Makes a locale available (the opt-in locale modules call this). */
export function registerLocale(locale: string, messages: Messages): void {
  catalogues.set(locale.toLowerCase(), messages);
}

type Args<K extends keyof Messages> = Messages[K] extends (...args: infer A) => string ? A : [];

export interface LocalizedHost extends ReactiveControllerHost, HTMLElement {
  locale?: string;
  messages?: Partial<Messages>;
}

export class Localize implements ReactiveController {
  constructor(
    private readonly host: LocalizedHost,
    private readonly store: () => SeatStore | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** The locale in use (BCP 47). */
  get lang(): string {
    return this.host.locale || this.store()?.locale || document.documentElement.lang || 'en';
  }

  #catalogue(): Partial<Messages> {
    const lang = this.lang.toLowerCase();
    return catalogues.get(lang) ?? catalogues.get(lang.split('-')[0]!) ?? english;
  }

  t<K extends keyof Messages>(key: K, ...args: Args<K>): string {
    const message = this.host.messages?.[key] ?? this.store()?.messages?.[key] ?? this.#catalogue()[key] ?? english[key];
    return typeof message === 'function' ? (message as (...a: unknown[]) => string)(...args) : (message as string);
  }

  /** What to tell a person about a failed call: the server's own words, else a generic line with the request id. */
  messageOf(error: unknown): string {
    const seatError = error instanceof SeatError ? error : undefined;
    return seatError?.detail || this.t('somethingWentWrong', seatError?.requestId ?? '');
  }

  role(role: Role): string {
    return this.t(role === 'owner' ? 'roleOwnerShort' : role === 'admin' ? 'roleAdmin' : 'roleMember');
  }

  /** Money from integer minor units, in the currency's own decimals. */
  money(minor: number, currency: string): string {
    const format = new Intl.NumberFormat(this.lang, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  }

  date(iso: string): string {
    return new Intl.DateTimeFormat(this.lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
  }

  number(n: number): string {
    return new Intl.NumberFormat(this.lang).format(n);
  }

  /** "Ada Lovelace, Alan Turing and 3 more" in the locale's list style. */
  list(items: string[]): string {
    return new Intl.ListFormat(this.lang, { type: 'conjunction' }).format(items);
  }
}
