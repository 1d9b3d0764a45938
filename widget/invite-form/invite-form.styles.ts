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
