/**
 * What the parts loaded on first use (bulk actions, CSV import, the usage chart) need of the
 * elements' own code, handed to them when they are created rather than imported: a lazily loaded
 * chunk then shares nothing with the first file but what it is given, so the bundler keeps every
 * module a page needs at first in that one file (no second request before the elements paint).
 * Lazy modules import only types (and their own libraries, such as the CSV parser).
 */
import { html, nothing, svg } from 'lit';
import { checkName, checkQualification, LIMITS } from '../../sdk/limits.js';
import { noLicenseAdvice } from './account-state.js';
import { closeDialog, openDialog } from './dialog.js';
import { emit, request } from './events.js';
import { fullName } from './names.js';

/**
 * Adds a lazily loaded part's styles to its element's shadow root: a constructed sheet, as Lit's
 * own (a `<style>` element would break under a CSP without `'unsafe-inline'` for styles).
 */
function addStyles(host: HTMLElement, text: string): void {
  const root = host.shadowRoot;
  if (!root) return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(text);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

export const kit = { addStyles, html, svg, nothing, emit, request, openDialog, closeDialog, fullName, noLicenseAdvice, checkName, checkQualification, LIMITS };
export type Kit = typeof kit;
