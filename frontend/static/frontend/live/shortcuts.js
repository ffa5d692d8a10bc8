// @ts-check
/**
 * Keyboard shortcuts for the common actions, and the help dialog that lists
 * them (`?`, or the ? button). Keys typed into a field are left alone. The
 * help is a modal <dialog> (Esc closes it, the page behind is inert) whose
 * Tab and Shift+Tab cycle inside it; closing gives the focus back.
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
  // Chromium lets Tab leave a modal dialog for the browser's own controls: keep it in.
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const focusable = [...dialog.querySelectorAll("button, [href], input, select, textarea, [tabindex]")].filter(
      (node) => !(/** @type {HTMLButtonElement} */ (node).disabled) && node.getAttribute("tabindex") !== "-1",
    );
    if (!focusable.length) return;
    const first = /** @type {HTMLElement} */ (focusable[0]);
    const last = /** @type {HTMLElement} */ (focusable[focusable.length - 1]);
    if (event.shiftKey ? document.activeElement === first : document.activeElement === last) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  });

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
