/**
 * Native modal dialogs (`showModal()`: focus trapped, Escape closes, the page inert) that give
 * focus back to what opened them when they close.
 */
function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/** Opens a modal; on close, focus goes back to `trigger` (by default what had focus), or to `fallback` if it is gone. */
export function openDialog(
  dialog: HTMLDialogElement | null | undefined,
  trigger: Element | null = deepActiveElement(),
  fallback?: Element | null,
): void {
  if (!dialog || dialog.open) return;
  dialog.addEventListener(
    'close',
    () => {
      const target = trigger instanceof HTMLElement && trigger.isConnected ? trigger : fallback;
      if (target instanceof HTMLElement && target.isConnected) target.focus();
    },
    { once: true },
  );
  dialog.showModal();
}

export function closeDialog(dialog: HTMLDialogElement | null | undefined): void {
  if (dialog?.open) dialog.close();
}
