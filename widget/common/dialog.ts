/**
 * Native modal dialogs (`showModal()`: focus trapped, Escape closes, the page inert) that give
 * focus back to what opened them when they close.
 */
/** The focused element, inside shadow roots too. */
export function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/** The focus-return listener of each open dialog (replaced when it is opened again). */
const focusReturns = new WeakMap<HTMLDialogElement, () => void>();

/** Opens a modal; on close, focus goes back to `trigger` (by default what had focus), or to `fallback` if it is gone. */
export function openDialog(
  dialog: HTMLDialogElement | null | undefined,
  trigger: Element | null = deepActiveElement(),
  fallback?: Element | null,
): void {
  if (!dialog || dialog.open) return;
  // `close` fires a task after `close()`: a dialog closed and opened again at once gets the stale
  // event while open again. Only a close that leaves it closed returns focus, to the latest trigger.
  const previous = focusReturns.get(dialog);
  if (previous) dialog.removeEventListener('close', previous);
  const onClose = () => {
    if (dialog.open) return;
    dialog.removeEventListener('close', onClose);
    focusReturns.delete(dialog);
    const target = trigger instanceof HTMLElement && trigger.isConnected ? trigger : fallback;
    if (target instanceof HTMLElement && target.isConnected) target.focus();
  };
  focusReturns.set(dialog, onClose);
  dialog.addEventListener('close', onClose);
  dialog.showModal();
}

export function closeDialog(dialog: HTMLDialogElement | null | undefined): void {
  if (dialog?.open) dialog.close();
}
