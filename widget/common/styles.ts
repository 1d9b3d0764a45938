import { css } from 'lit';

/**
 * Design tokens: every colour, radius and font comes from a `--seat-*` custom property with a
 * fallback, light and dark (`light-dark()`, following the page's `color-scheme`, or the element's
 * `theme` attribute).
 */
export const tokens = css`
  :host {
    color-scheme: light dark;
    --_fg: var(--seat-color-text, light-dark(#1f2328, #e6e8eb));
    --_muted: var(--seat-color-text-muted, light-dark(#59636e, #9aa4af));
    --_bg: var(--seat-color-surface, light-dark(#ffffff, #16181c));
    --_bg-subtle: var(--seat-color-surface-subtle, light-dark(#f6f8fa, #1f2329));
    --_border: var(--seat-color-border, light-dark(#d1d9e0, #3a4048));
    --_accent: var(--seat-color-accent, light-dark(#0b5cd5, #6ea8fe));
    --_on-accent: var(--seat-color-on-accent, light-dark(#ffffff, #0b1320));
    --_danger: var(--seat-color-danger, light-dark(#b42318, #ff8a80));
    --_warning-bg: var(--seat-color-warning-surface, light-dark(#fff8e1, #3a2f0b));
    --_success: var(--seat-color-success, light-dark(#1a7f37, #7ee2a8));
    --_radius: var(--seat-radius, 8px);
    --_font: var(--seat-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_focus: var(--seat-focus-ring, 0 0 0 3px light-dark(rgb(11 92 213 / 40%), rgb(110 168 254 / 50%)));
    display: block;
    font-family: var(--_font);
    font-size: var(--seat-font-size, 0.9375rem);
    line-height: 1.5;
    color: var(--_fg);
    /* Names, emails and qualifications are the users' own text, up to 254 characters without a space. */
    overflow-wrap: anywhere;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([hidden]) {
    display: none;
  }
`;

/** Controls shared by every element: buttons, fields, dialogs, messages. */
export const controls = css`
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h2,
  h3 {
    margin: 0;
    font-size: 1.125rem;
    line-height: 1.3;
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: var(--_radius);
    border: 1px solid var(--_border);
    background: var(--_bg);
    color: var(--_fg);
    padding: 0.4rem 0.9rem;
    min-height: 2.25rem;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
    font-weight: 600;
  }
  button.danger {
    background: var(--_danger);
    border-color: var(--_danger);
    color: var(--_on-accent);
    font-weight: 600;
  }
  button.link {
    border: none;
    background: none;
    color: var(--_accent);
    padding: 0;
    min-height: 0;
    text-decoration: underline;
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  a:focus-visible {
    outline: none;
    box-shadow: var(--_focus);
  }
  a {
    color: var(--_accent);
  }
  label {
    display: block;
    font-weight: 600;
    margin-block-end: 0.25rem;
  }
  input,
  select {
    font: inherit;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.4rem 0.6rem;
    min-height: 2.25rem;
    width: 100%;
  }
  input[type='checkbox'],
  input[type='radio'] {
    width: auto;
    min-height: 0;
  }
  input[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .field {
    margin-block-end: 0.9rem;
  }
  .field-error {
    color: var(--_danger);
    font-size: 0.875em;
    margin: 0.25rem 0 0;
  }
  .hint {
    color: var(--_muted);
    font-size: 0.875em;
    margin: 0.25rem 0 0;
  }
  .error {
    color: var(--_danger);
  }
  /* Something the viewer should know (and may act on): no license free, a scheduled reduction, a row's failure. */
  .notice {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 1rem;
    margin-block: 0.75rem;
    padding: 0.5rem 0.75rem;
    border-radius: var(--_radius);
    background: var(--_warning-bg);
  }
  .notice p {
    margin: 0;
  }
  .actions {
    display: flex;
    gap: 0.5rem;
    justify-content: flex-end;
    flex-wrap: wrap;
    margin-block-start: 1rem;
  }
  dialog {
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 1.5);
    padding: 1.25rem;
    width: min(32rem, calc(100vw - 2rem));
    box-shadow: 0 12px 40px rgb(0 0 0 / 25%);
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 45%);
  }
  /* The box every element draws around itself. */
  .base {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 1rem 1.25rem;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
