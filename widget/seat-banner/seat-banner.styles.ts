import { css } from 'lit';

export const styles = css`
  .top {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 1rem;
    flex-wrap: wrap;
  }
  .summary {
    margin: 0;
    font-size: 1.25rem;
    font-weight: 700;
  }
  meter {
    display: block;
    width: 100%;
    height: 0.75rem;
    margin-block: 0.75rem 0.5rem;
  }
  meter::-webkit-meter-bar {
    background: var(--_bg-subtle);
    border: 1px solid var(--_border);
    border-radius: 999px;
  }
  meter::-webkit-meter-optimum-value,
  meter::-webkit-meter-suboptimum-value {
    background: var(--_accent);
    border-radius: 999px;
  }
  .counts {
    display: flex;
    gap: 1.25rem;
    flex-wrap: wrap;
    list-style: none;
    padding: 0;
    margin: 0;
    color: var(--_muted);
  }
  .counts .none {
    color: var(--_danger);
    font-weight: 600;
  }
  .own {
    margin: 0.25rem 0 0;
    color: var(--_success);
    font-weight: 600;
  }
  .notice {
    margin-block-end: 0;
  }
  .done {
    margin: 0.75rem 0 0;
    color: var(--_success);
    font-weight: 600;
  }
  /* The live region stays in the tree while empty, so what arrives in it is announced. */
  .done:empty {
    margin: 0;
  }
`;
