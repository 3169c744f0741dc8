/**
 * The console's one modal dialog (a native `<dialog>`: focus is trapped, Escape cancels, focus returns to the
 * button that opened it). `ask` fills it, and runs `onOk` when the primary button is pressed; an error keeps the
 * dialog open and shows the message in it.
 */

const el = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

export interface Ask {
  title: string;
  /** Trusted HTML (built with `esc`). */
  body: string;
  ok: string;
  danger?: boolean;
  /** Hide Cancel (for dialogs that only show a result). */
  noCancel?: boolean;
  /**
   * Runs on OK with the dialog's form data; resolve to close, throw to show the error. It may resolve to a
   * function, run once the dialog has closed (e.g. to open the next dialog).
   */
  onOk?: (data: FormData) => Promise<(() => void) | void> | (() => void) | void;
  onClose?: () => void;
}

export const esc = (v: unknown): string =>
  String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

let current: Ask | null = null;
let opener: HTMLElement | null = null;
let afterClose: (() => void) | null = null;

export function isDialogOpen(): boolean {
  return el<HTMLDialogElement>("dialog").open;
}

export function ask(a: Ask): void {
  const dialog = el<HTMLDialogElement>("dialog");
  current = a;
  opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  el("dialog-title").textContent = a.title;
  el("dialog-body").innerHTML = a.body;
  const error = el("dialog-error");
  error.hidden = true;
  error.textContent = "";
  const ok = el<HTMLButtonElement>("dialog-ok");
  ok.textContent = a.ok;
  ok.className = a.danger ? "danger" : "primary";
  ok.disabled = false;
  el("dialog-cancel").hidden = a.noCancel === true;
  if (dialog.open) dialog.close();
  dialog.showModal();
  const first = el("dialog-body").querySelector<HTMLElement>("input:not([type=hidden]), select, textarea");
  (first ?? ok).focus();
}

/** Wires the dialog once: OK runs the current action; closing returns focus. */
export function initDialog(): void {
  const dialog = el<HTMLDialogElement>("dialog");
  const form = el<HTMLFormElement>("dialog-form");
  form.addEventListener("submit", (e) => {
    const submitter = (e as SubmitEvent).submitter as HTMLButtonElement | null;
    if (submitter?.value !== "ok" || !current?.onOk) return;
    e.preventDefault();
    const a = current;
    const ok = el<HTMLButtonElement>("dialog-ok");
    ok.disabled = true;
    Promise.resolve(a.onOk!(new FormData(form))).then((after) => {
      if (current !== a) return;
      afterClose = typeof after === "function" ? after : null;
      dialog.close("ok");
    }, (err: unknown) => {
      ok.disabled = false;
      const error = el("dialog-error");
      error.textContent = err instanceof Error ? err.message : String(err);
      error.hidden = false;
    });
  });
  dialog.addEventListener("close", () => {
    const a = current;
    const after = afterClose;
    current = null;
    afterClose = null;
    opener?.focus();
    a?.onClose?.();
    after?.();
  });
}
