/** Short messages in the page's polite live region; `flash` carries one across a reload. */

const KEY = "plothost-admin-flash";

export function toast(message: string, kind: "ok" | "error" = "ok"): void {
  const t = document.getElementById("toast");
  if (!t) return;
  t.textContent = message;
  t.dataset.kind = kind;
  t.classList.add("shown");
}

/** Reloads the page and shows `message` after it. */
export function reloadWith(message: string): void {
  sessionStorage.setItem(KEY, message);
  location.reload();
}

export function showFlash(): void {
  const m = sessionStorage.getItem(KEY);
  if (m === null) return;
  sessionStorage.removeItem(KEY);
  toast(m);
}
