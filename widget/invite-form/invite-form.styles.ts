import { css } from 'lit';

export const styles = css`
  .heading {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    align-items: baseline;
    gap: 0.25rem 1rem;
    margin-block-end: 0.75rem;
  }
  textarea {
    font: inherit;
    font-family: ui-monospace, monospace;
    font-size: 0.875em;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.4rem 0.6rem;
    width: 100%;
  }
  textarea:focus-visible {
    outline: none;
    box-shadow: var(--_focus);
  }
  .preview {
    max-height: 20rem;
    overflow: auto;
    margin-block: 0.75rem;
  }
  .preview table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.875em;
  }
  .preview th,
  .preview td {
    text-align: start;
    vertical-align: top;
    padding: 0.3rem 0.4rem;
    border-block-end: 1px solid var(--_border);
  }
  .preview thead th {
    white-space: nowrap;
  }
  .preview .name,
  .preview .email {
    display: block;
  }
  .preview .email {
    color: var(--_muted);
  }
  .preview td.ok {
    color: var(--_success);
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(14rem, 100%), 1fr));
    column-gap: 1rem;
  }
  .wide {
    grid-column: 1 / -1;
  }
  .notice {
    justify-content: space-between;
  }
  .notice .hint {
    flex-basis: 100%;
  }
  .field-error + button.link {
    margin-block-start: 0.25rem;
  }
  .success {
    color: var(--_success);
    font-weight: 600;
  }
  .messages p {
    margin: 0.75rem 0 0;
  }
  /* The live regions stay in the tree while empty, so what arrives in them is announced. */
  .messages p:empty {
    margin: 0;
  }
  .actions {
    justify-content: flex-start;
    margin-block-start: 0.25rem;
  }
`;
