import { css } from 'lit';

export const styles = css`
  .base {
    container-type: inline-size;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: flex-end;
    gap: 0.75rem 1rem;
    margin-block: 0.75rem 1rem;
  }
  .toolbar .field {
    margin: 0;
  }
  .toolbar .grow {
    flex: 1 1 16rem;
  }
  .toolbar select {
    width: auto;
    min-width: 9rem;
  }
  label.small {
    font-size: 0.8125rem;
    color: var(--_muted);
  }
  /* Nothing scrolls sideways: user text wraps, and the other columns keep their size. */
  .table-wrap {
    border-block-start: 2px solid transparent;
  }
  /* Loading keeps the rows (no flicker) and their contrast: only a bar shows it. */
  .table-wrap.busy {
    border-block-start-color: var(--_accent);
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: start;
    vertical-align: top;
    padding: 0.6rem 0.5rem;
    border-block-end: 1px solid var(--_border);
  }
  thead th {
    vertical-align: middle;
    font-size: 0.8125rem;
    color: var(--_muted);
    font-weight: 600;
    white-space: nowrap;
  }
  th button.sort {
    border: none;
    background: none;
    padding: 0.125rem 0.25rem;
    margin-inline-start: -0.25rem;
    min-height: 0;
    font-weight: 600;
    color: inherit;
    display: inline-flex;
    gap: 0.25rem;
    align-items: center;
  }
  th button.sort .arrow {
    width: 0.75rem;
    display: inline-block;
  }
  tbody th {
    font-weight: 400;
    /* User text may break anywhere, which leaves the column no minimum of its own: give it one. */
    min-width: 10rem;
  }
  td.fixed {
    white-space: nowrap;
  }
  .row-notice td {
    padding-block-start: 0;
  }
  .row-notice .notice {
    margin: 0;
  }
  tr.skeleton span {
    display: block;
    height: 0.9rem;
    margin-block: 0.3rem;
    border-radius: 999px;
    background: var(--_bg-subtle);
  }
  .name {
    display: block;
    font-weight: 600;
  }
  .email {
    display: block;
    color: var(--_muted);
    font-size: 0.875em;
    overflow-wrap: anywhere;
  }
  .status {
    display: inline-block;
    padding: 0.0625rem 0.5rem;
    border-radius: 999px;
    border: 1px solid var(--_border);
    font-size: 0.8125rem;
    white-space: nowrap;
  }
  .status.owner {
    border-color: var(--_accent);
    color: var(--_accent);
  }
  .status.enabled {
    border-color: var(--_success);
    color: var(--_success);
  }
  .status.expired {
    border-color: var(--_danger);
    color: var(--_danger);
  }
  .status.disabled {
    color: var(--_muted);
  }
  .row-actions {
    display: flex;
    gap: 0.25rem;
  }
  .row-actions button {
    padding: 0.2rem 0.55rem;
    min-height: 2rem;
    font-size: 0.875rem;
  }
  .row-actions button[aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.55;
  }
  .menu-wrap {
    position: relative;
  }
  [part~='menu-button'] span {
    margin-inline-start: 0.25rem;
  }
  label.check {
    display: flex;
    align-items: center;
    gap: 0.4rem;
    font-weight: 400;
    margin: 0;
    min-height: 2.25rem;
  }
  th.select-cell,
  td.select-cell {
    width: 2rem;
    vertical-align: middle;
  }
  .select-cell input {
    width: 1.1rem;
    height: 1.1rem;
    margin: 0;
  }
  tr.selected {
    background: var(--_bg-subtle);
  }
  td.message {
    text-align: center;
    color: var(--_muted);
    padding-block: 1.5rem;
  }
  .pagination {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: flex-end;
    gap: 0.5rem 1rem;
    margin-block-start: 0.75rem;
  }
  .pagination .field {
    margin: 0;
    display: flex;
    align-items: center;
    gap: 0.5rem;
  }
  .pagination label {
    margin: 0;
    font-weight: 400;
  }
  .pagination select {
    width: auto;
  }
  .pagination .range {
    margin: 0;
  }
  .pagination .pages {
    display: flex;
    gap: 0.25rem;
  }
  /* Narrow (the columns of fixed width take about 37rem with the name's 10rem): every row becomes a card (same DOM,
     restyled); the headers become a bar of sort buttons. */
  @container (max-width: 760px) {
    table,
    tbody,
    tr,
    td,
    tbody th {
      display: block;
      width: 100%;
    }
    thead tr {
      display: flex;
      flex-wrap: wrap;
      gap: 0.25rem 0.75rem;
      border-block-end: 1px solid var(--_border);
    }
    thead th {
      border: none;
      padding: 0.25rem 0;
    }
    thead th.not-sortable {
      display: none;
    }
    tbody tr {
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: 0.5rem 0.75rem;
      margin-block-start: 0.75rem;
    }
    tbody th,
    tbody td {
      border: none;
      padding: 0.2rem 0;
    }
    tbody td[data-label]::before {
      content: attr(data-label) ': ';
      color: var(--_muted);
      font-size: 0.8125rem;
    }
    tbody td.select-cell {
      float: inline-end;
      width: auto;
    }
    thead th.select-cell {
      display: block;
      padding-inline-end: 0.5rem;
    }
    tbody td.actions-cell {
      padding-block-start: 0.5rem;
    }
    tbody tr.row-notice {
      border: none;
      padding: 0;
      margin-block-start: 0.25rem;
    }
    .pagination {
      justify-content: flex-start;
    }
  }
`;
