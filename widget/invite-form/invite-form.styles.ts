import { css } from 'lit';

export const styles = css`
  h2 {
    margin-block-end: 0.75rem;
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
