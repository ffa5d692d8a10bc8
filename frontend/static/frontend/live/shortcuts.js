// @ts-check
/**
 * Keyboard shortcuts for the common actions, and the help dialog that lists
 * them (`?`, or the ? button). Keys typed into a field are left alone; a
 * native <dialog> gives focus trapping and Esc for free.
 */

import { button, el } from "./page.js";

/** @typedef {{ keys: string[], label: string, what: string, run: () => void }} Shortcut */

/**
 * @param {HTMLElement} dialogElement a <dialog>
 * @param {HTMLElement} helpButton
 * @param {Shortcut[]} shortcuts
 */
export function mountShortcuts(dialogElement, helpButton, shortcuts) {
  const dialog = /** @type {HTMLDialogElement} */ (dialogElement);
  const title = el("h2", undefined, "Keyboard shortcuts");
  title.id = "help-title";
  const table = el("table", "shortcut-table");
  const body = el("tbody");
  for (const shortcut of shortcuts) {
    const row = el("tr");
    const key = el("th", undefined);
    key.scope = "row";
    key.append(el("kbd", undefined, shortcut.label));
    row.append(key, el("td", undefined, shortcut.what));
    body.append(row);
  }
  table.append(body);
  const close = button("Close", "button", () => dialog.close());
  dialog.replaceChildren(title, table, close);
  helpButton.addEventListener("click", () => dialog.showModal());

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || dialog.open) return;
    const target = /** @type {HTMLElement} */ (event.target);
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (event.key === "?") {
      event.preventDefault();
      dialog.showModal();
      return;
    }
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    // Arrow keys pan the slide while the viewer has the focus.
    if (key.startsWith("Arrow") && target.closest(".openseadragon-container")) return;
    const shortcut = shortcuts.find((s) => s.keys.includes(key));
    if (!shortcut) return;
    event.preventDefault();
    shortcut.run();
  });
}
