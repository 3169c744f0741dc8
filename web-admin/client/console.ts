/**
 * The admin console's script (bundled by esbuild when the gateway first serves it). The pages are complete
 * without it (tables, filters, paging, navigation); it adds the actions, each a call to the admin API with the
 * CSRF token, a confirmation naming what will change, and the live refresh of the Apps and Sessions pages.
 */
import { api, seg } from "./api.ts";
import { ask, esc, initDialog } from "./dialog.ts";
import { showLive, startLiveRefresh } from "./live-refresh.ts";
import { reloadWith, showFlash, toast } from "./toast.ts";
import { createUser, deleteUser, resetPassword, revokeTokens, setDisabled, setRole } from "./user-actions.ts";

const fail = (err: unknown) => toast((err as Error).message, "error");

function onClick(b: HTMLElement): void {
  const d = b.dataset;
  switch (d.action) {
    case "reset-password": return resetPassword(d.user!);
    case "set-role": return setRole(d.user!, d.role!);
    case "set-disabled": return setDisabled(d.user!, d.disabled === "true");
    case "revoke-tokens": return revokeTokens(d.user!, d.tokens ?? "0");
    case "delete-user": return void deleteUser(d.user!, d.tokens ?? "0").catch(fail);
    case "app-action": {
      const run = () => appAction(d.app!, d.act!);
      if (d.act !== "stop") return void run().catch(fail);
      return ask({
        title: `Stop ${d.app}?`, ok: "Stop", danger: true, onOk: run,
        body: `<p>Its workers stop gracefully and their sessions end. The app stays idle until its next visit or until you start it.</p>`,
      });
    }
    case "end-session":
      return ask({
        title: "End this session?", ok: "End session", danger: true,
        body: `<p>The ${esc(d.label)} connection closes; the viewer has to reload the page to continue.</p>`,
        onOk: async () => {
          await api("DELETE", `/api/v1/admin/sessions/${seg(d.session!)}`);
          b.closest("tr")?.remove();
          toast("Session ended.");
        },
      });
    case "delete-doc":
      return ask({
        title: `Delete the document ${d.name}?`, ok: "Delete document", danger: true,
        body: `<p>This deletes <strong>${esc(d.name)}</strong> (<code>${esc(d.doc)}</code>), owned by ${esc(d.owner)}, for good. Its open viewers are disconnected.</p>`,
        onOk: async () => {
          await api("DELETE", `/api/v1/admin/docs/${seg(d.doc!)}`);
          reloadWith(`Deleted ${d.name}.`);
        },
      });
  }
}

/** `POST /api/v1/admin/workers/<app>/<act>` (a deployed app's name is `owner/app`: two path segments). */
async function appAction(app: string, act: string): Promise<void> {
  const row = await api<{ state: string }>("POST", `/api/v1/admin/workers/${appPath(app)}/${act}`);
  showLive(`app-${app}-state`, row.state);
  toast(`${act === "start" ? "Starting" : act === "stop" ? "Stopped" : "Restarting"} ${app}${act === "stop" ? "." : "…"}`);
}

const appPath = (app: string) => app.split("/").map(seg).join("/");

function onSubmit(form: HTMLFormElement): void {
  const d = form.dataset;
  if (d.action === "create-user") return void createUser(form);
  if (d.action === "rollback-app") {
    const version = Number(new FormData(form).get("version"));
    return ask({
      title: `Roll ${d.app} back to version ${version}?`, ok: "Roll back",
      body: `<p>A deploy job starts version ${version}${d.current ? ` (now v${esc(d.current)})` : ""}. New sessions go to it once its worker is up;
open sessions stay on the version they use until they end.</p>`,
      onOk: async () => {
        const r = await api<{ app: { state: string }; deploy: { id: string } }>("POST", `/api/v1/admin/workers/${appPath(d.app!)}/rollback`, { version });
        showLive(`app-${d.app}-state`, r.app.state);
        toast(`Rolling ${d.app} back to version ${version} (deploy ${r.deploy.id})…`);
      },
    });
  }
  if (d.action === "set-visibility") {
    const visibility = String(new FormData(form).get("visibility"));
    const run = async () => {
      await api("PATCH", `/api/v1/admin/docs/${seg(d.doc!)}`, { visibility });
      reloadWith(`${d.name} is now ${visibility}.`);
    };
    if (visibility === "public") return void run().catch(fail);
    return ask({
      title: `Make ${d.name} ${visibility}?`, ok: `Make ${visibility}`, onOk: run,
      body: `<p>If it was public, its public link stops working and anonymous viewers are disconnected now.${visibility === "shared" ? " Only its owner and the people it is shared with keep access." : ""}</p>`,
    });
  }
}

function init(): void {
  initDialog();
  showFlash();
  document.addEventListener("click", (e) => {
    const b = (e.target as HTMLElement | null)?.closest<HTMLElement>("button[data-action]");
    if (b) onClick(b);
  });
  document.addEventListener("submit", (e) => {
    const form = e.target as HTMLFormElement;
    if (!form.dataset.action) return;
    e.preventDefault();
    onSubmit(form);
  });
  startLiveRefresh();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
