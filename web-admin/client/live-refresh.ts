import { isDialogOpen } from "./dialog.ts";

/**
 * Keeps a page current without moving keyboard focus: every `data-refresh` ms the page is fetched again and
 * each `data-live` element takes the new version's content. A `data-live-region` whose set of rows changed
 * (`data-live-keys`) is swapped whole, unless focus is inside it (then it waits). Paused while a dialog is open
 * or the tab is hidden.
 */
export function startLiveRefresh(): void {
  const main = document.querySelector<HTMLElement>("main[data-refresh]");
  const every = Number(main?.dataset.refresh ?? 0);
  if (!main || !(every > 0)) return;
  const tick = async () => {
    try {
      if (!document.hidden && !isDialogOpen()) await refresh();
    } catch {
      // a failed refresh is retried on the next tick
    }
    setTimeout(() => void tick(), every);
  };
  setTimeout(() => void tick(), every);
}

/** Bumped by every local update: a refresh fetched before it would show the page as it was, so it is dropped. */
let generation = 0;

/**
 * Shows `text` in the `data-live` element `key` now (e.g. the state an action's answer reports), ahead of the
 * next refresh; a refresh already in flight, fetched before the action, no longer overwrites it.
 */
export function showLive(key: string, text: string): void {
  generation++;
  const el = document.querySelector<HTMLElement>(`[data-live="${CSS.escape(key)}"]`);
  if (el) el.textContent = text;
}

async function refresh(): Promise<void> {
  const started = generation;
  const res = await fetch(location.href, { credentials: "same-origin", headers: { accept: "text/html" } });
  if (!res.ok) return;
  const html = await res.text();
  if (started !== generation) return;
  const next = new DOMParser().parseFromString(html, "text/html");
  for (const region of document.querySelectorAll<HTMLElement>("[data-live-region]")) {
    const fresh = next.querySelector<HTMLElement>(`[data-live-region="${CSS.escape(region.dataset.liveRegion ?? "")}"]`);
    if (!fresh || fresh.dataset.liveKeys === region.dataset.liveKeys || region.contains(document.activeElement)) continue;
    region.innerHTML = fresh.innerHTML;
    region.dataset.liveKeys = fresh.dataset.liveKeys ?? "";
  }
  for (const fresh of next.querySelectorAll<HTMLElement>("[data-live]")) {
    const mine = document.querySelector<HTMLElement>(`[data-live="${CSS.escape(fresh.dataset.live ?? "")}"]`);
    if (!mine || mine.contains(document.activeElement)) continue;
    if (mine.innerHTML !== fresh.innerHTML) mine.innerHTML = fresh.innerHTML;
    if (mine.className !== fresh.className) mine.className = fresh.className;
  }
}
