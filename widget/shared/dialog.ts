/**
 * Native modal dialogs (`showModal()`: focus trapped, Escape closes, the page inert) that give
 * focus back to what opened them when they close.
 */
function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

export function openDialog(dialog: HTMLDialogElement | null | undefined, trigger: Element | null = deepActiveElement()): void {
  if (!dialog || dialog.open) return;
  dialog.addEventListener(
    'close',
    () => {
      if (trigger instanceof HTMLElement && trigger.isConnected) trigger.focus();
    },
    { once: true },
  );
  dialog.showModal();
}

export function closeDialog(dialog: HTMLDialogElement | null | undefined): void {
  if (dialog?.open) dialog.close();
}
