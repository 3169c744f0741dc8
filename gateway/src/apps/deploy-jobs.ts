import fs from "node:fs";
import path from "node:path";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import type { AppRecord, AppStore, VersionRecord } from "./app-store.ts";
import type { AppRouter } from "./app-router.ts";
import { extractArchive, inspectArchive, type ArchiveLimits } from "./archive.ts";
import { CompileError, compileApp } from "./compile.ts";
import { PermanentJobError, type JobContext, type JobHandler, type JobInfo } from "./jobs/job-queue.ts";
import { WorkerStartError, type WorkerPool } from "./worker-pool.ts";

/** What the app jobs act on. */
export interface AppJobDeps {
  readonly store: AppStore;
  readonly router: AppRouter;
  /** A (not yet started) worker pool for one version of an app. */
  makePool(app: AppRecord, version: VersionRecord): WorkerPool;
  /** Queues a follow-up job (stop → cleanup, deploy → cleanup of old versions). */
  addJob(name: string, data: Record<string, unknown>): Promise<JobInfo>;
  /** Versions kept per app (`--keep-versions`): after a deploy, a cleanup job removes older ones. */
  readonly keepVersions: number;
  readonly limits: ArchiveLimits;
  readonly logger: Logger;
}

interface AppRef {
  owner: string;
  name: string;
}

/**
 * The handlers of the app jobs, run by whichever JobQueue the gateway has:
 * - `deploy {owner, name, version}`: unpack the version (once), compile it, smoke-start a worker pool for it, then
 *   switch the app's traffic to it in one step and stop the previous version's workers. A compile or load error
 *   fails the job at once (no retry can fix it) and the previous version keeps serving. Rollback is a deploy of an
 *   older version.
 *   The previous version's workers keep serving the sessions they hold until those end (they drain, see
 *   AppRouter.swap); then a `cleanup {prune}` job removes versions beyond the newest `keepVersions`.
 * - `stop {owner, name, remove}`: stop routing to the app and stop its workers; with `remove`, queue `cleanup`.
 * - `cleanup {owner, name}`: delete the app's files and record; `{owner, name, prune: true}`: delete the versions
 *   beyond the newest `keepVersions` (never the current one); `{trash}`: delete files a deleted user's app left.
 */
export function appJobHandlers(deps: AppJobDeps): Record<string, JobHandler> {
  const { store, router } = deps;

  const deploy: JobHandler = async (data, ctx) => {
    const { owner, name } = data as unknown as AppRef;
    const number = Number(data.version);
    const app = await store.get(owner, name);
    if (!app || app.deleting) throw new PermanentJobError(`the app ${owner}/${name} was deleted`);
    const version = app.versions.find((v) => v.version === number);
    if (!version) throw new PermanentJobError(`the app ${owner}/${name} has no version ${number}`);
    const log = router.logFor(owner, name);
    const failed = async (err: Error, permanent: boolean) => {
      if (permanent || ctx.attempt >= ctx.maxAttempts) {
        await store.updateVersion(owner, name, number, { status: "failed", error: err.message });
        log.push(`[plothost] deploy of version ${number} failed; version ${app.currentVersion ?? "none"} keeps serving: ${err.message}`);
      }
      return permanent ? new PermanentJobError(err.message, { cause: err }) : err;
    };

    await ctx.progress(10, "unpacking");
    const paths = store.layout.versionPaths(owner, name, number);
    if (!fs.existsSync(paths.unpacked)) {
      fs.rmSync(paths.app, { recursive: true, force: true });
      try {
        await extractArchive(paths.archive, await inspectArchive(paths.archive, deps.limits), paths.app);
      } catch (err) {
        throw await failed(err as Error, true);
      }
      // Apps are ES modules (`import ... from "plothost"`); without a package.json saying so, Node would load
      // a .ts/.js file as CommonJS.
      const pkg = path.join(paths.app, "package.json");
      if (!fs.existsSync(pkg)) fs.writeFileSync(pkg, `${JSON.stringify({ type: "module", private: true })}\n`, { mode: 0o644 });
      fs.writeFileSync(paths.unpacked, "");
    }

    await ctx.progress(40, "compiling");
    try {
      await compileApp(paths.app);
    } catch (err) {
      throw await failed(err as Error, err instanceof CompileError);
    }

    await ctx.progress(70, "starting a worker");
    const pool = deps.makePool(app, version);
    try {
      await pool.warmUp();
    } catch (err) {
      await pool.close();
      throw await failed(err as Error, err instanceof WorkerStartError);
    }
    if ((await store.get(owner, name))?.deleting !== false) {
      await pool.close();
      throw new PermanentJobError(`the app ${owner}/${name} was deleted during its deploy`);
    }

    await ctx.progress(90, "switching traffic");
    const old = router.swap(owner, name, pool);
    await store.setCurrent(owner, name, number);
    await store.updateVersion(owner, name, number, { status: "ready", error: null });
    log.push(`[plothost] version ${number} deployed${old ? "; the previous version's workers keep their open sessions until they end" : ""}`);
    if ((await store.get(owner, name))!.versions.length > deps.keepVersions) {
      const job = await deps.addJob("cleanup", { owner, name, prune: true });
      await store.addJob(owner, name, job.id);
    }
    return { version: number };
  };

  const stop: JobHandler = async (data, ctx: JobContext) => {
    const { owner, name } = data as unknown as AppRef;
    await ctx.progress(50, "stopping workers");
    await router.remove(owner, name)?.close();
    if (data.remove === true) {
      const job = await deps.addJob("cleanup", { owner, name });
      if (await store.get(owner, name)) await store.addJob(owner, name, job.id);
    }
    return { stopped: true };
  };

  const cleanup: JobHandler = async (data) => {
    if (typeof data.trash === "string") {
      if (!store.layout.isTrash(data.trash)) throw new PermanentJobError(`refusing to remove ${data.trash}: not in ${store.layout.trashDir}`);
      await fs.promises.rm(data.trash, { recursive: true, force: true });
      return { removed: true };
    }
    const { owner, name } = data as unknown as AppRef;
    if (data.prune === true) {
      const app = await store.get(owner, name);
      if (!app) return { pruned: [] };
      // Never the current version, nor one whose workers still drain sessions.
      const inUse = new Set([app.currentVersion, ...router.versionsInUse(owner, name)]);
      const doomed = app.versions.map((v) => v.version).filter((v) => !inUse.has(v)).slice(0, Math.max(0, app.versions.length - deps.keepVersions));
      if (doomed.length > 0) {
        await store.removeVersions(owner, name, doomed);
        router.logFor(owner, name).push(`[plothost] removed old version${doomed.length > 1 ? "s" : ""} ${doomed.join(", ")} (keeping the newest ${deps.keepVersions})`);
      }
      return { pruned: doomed };
    }
    await store.remove(owner, name);
    deps.logger.info({ app: `${owner}/${name}` }, "app removed");
    return { removed: true };
  };

  return { deploy, stop, cleanup };
}
