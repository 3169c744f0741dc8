import { delay } from "./backoff.ts";
import { PlothostClientError } from "./errors.ts";
import type { HttpClient } from "./http-client.ts";
import { multipartBody } from "./multipart.ts";

/** One of your deployed apps (`GET /api/v1/apps`); it is served at `url` (`/<owner>/<name>`). */
export interface AppInfo {
  readonly owner: string;
  readonly name: string;
  readonly url: string;
  /** `not_deployed`, `deleting`, or its workers' state (e.g. `ready`, `idle`). */
  readonly state: string;
  readonly currentVersion: number | null;
  readonly versions: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A deploy job (`GET /api/v1/apps/:name/deploys/:id`). */
export interface DeployJob {
  readonly id: string;
  readonly name: string;
  readonly state: "queued" | "running" | "done" | "failed";
  /** 0–100, and what it is doing (`unpacking`, `compiling`, `starting a worker`, ...). */
  readonly progress: number;
  readonly step: string | null;
  /** Every step so far, in order (a fast step can come and go between two polls; it is still listed here). */
  readonly steps?: readonly { readonly step: string; readonly progress: number }[];
  readonly attempts: number;
  readonly maxAttempts: number;
  /** Why the last attempt failed, when it did. */
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** What `POST /api/v1/apps` answers: the app, the new version's number and the job deploying it. */
export interface DeployStarted {
  readonly app: AppInfo;
  readonly version: number;
  readonly deploy: DeployJob;
}

/** Whether a deploy job is over (`done` or `failed`). */
export const isFinished = (job: DeployJob): boolean => job.state === "done" || job.state === "failed";

/**
 * Your deployed apps over `/api/v1/apps`: list them, upload a new version (a .tar.gz, with upload progress) and
 * follow its deploy job, read their logs.
 */
export class AppsApi {
  constructor(private readonly http: HttpClient) {}

  async list(): Promise<AppInfo[]> {
    return (await this.http.request<{ apps: AppInfo[] }>("GET", "/api/v1/apps")).apps;
  }

  /** Uploads `archive` (a gzipped tar, see `packApp`) as a new version of app `name`; resolves once the deploy job is queued. */
  deploy(name: string, archive: Uint8Array, opts: { onUpload?: (sent: number, total: number) => void } = {}): Promise<DeployStarted> {
    const body = multipartBody({ name }, { field: "archive", filename: `${name}.tar.gz`, contentType: "application/gzip", data: archive }, opts.onUpload);
    return this.http.request<DeployStarted>("POST", "/api/v1/apps", { body, timeoutMs: 0 });
  }

  deployment(name: string, id: string): Promise<DeployJob> {
    return this.http.request<DeployJob>("GET", `/api/v1/apps/${encodeURIComponent(name)}/deploys/${encodeURIComponent(id)}`);
  }

  /**
   * Polls a deploy job until it is `done` or `failed`, calling `onProgress` whenever its state or step changes
   * (`job.steps` lists every step, also those that started and ended between two polls);
   * resolves with the finished job (check its state), rejects after `timeoutMs` (default 10 min).
   */
  async waitForDeploy(name: string, id: string, opts: { onProgress?: (job: DeployJob) => void; timeoutMs?: number; pollMs?: number } = {}): Promise<DeployJob> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
    let last = "";
    for (;;) {
      const job = await this.deployment(name, id);
      const seen = `${job.state}/${job.step}/${job.steps?.length ?? 0}`;
      if (seen !== last) opts.onProgress?.(job);
      last = seen;
      if (isFinished(job)) return job;
      if (Date.now() > deadline) throw new PlothostClientError(`deploy ${id} of ${name} is still ${job.state}; see \`plothost logs ${name}\``, { code: "deploy_timeout" });
      await delay(opts.pollMs ?? 300);
    }
  }

  /** The app's recent log lines (the server keeps the last ones). */
  async logs(name: string): Promise<string[]> {
    return (await this.http.request<{ lines: string[] }>("GET", `/api/v1/apps/${encodeURIComponent(name)}/logs`)).lines;
  }

  /**
   * The app's log, then every new line as it comes (polled every `pollMs`, default 1 s), until `signal` aborts.
   * Lines are matched against the previous read, so a line is printed once even though the server returns its
   * whole recent tail each time.
   */
  async *follow(name: string, opts: { signal: AbortSignal; pollMs?: number }): AsyncGenerator<string> {
    let previous: string[] = [];
    while (!opts.signal.aborted) {
      const current = await this.logs(name);
      yield* current.slice(overlap(previous, current));
      previous = current;
      await delay(opts.pollMs ?? 1000, opts.signal).catch(() => {});
    }
  }
}

/** How many lines at the start of `next` are the end of `prev` (the part of the tail already printed). */
export function overlap(prev: readonly string[], next: readonly string[]): number {
  for (let k = Math.min(prev.length, next.length); k > 0; k--) {
    let same = true;
    for (let i = 0; i < k && same; i++) same = prev[prev.length - k + i] === next[i];
    if (same) return k;
  }
  return 0;
}
