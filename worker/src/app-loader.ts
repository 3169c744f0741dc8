import { pathToFileURL } from "node:url";
import type { Document } from "../../shared/index.ts";
import type { AppUser } from "../../shared/auth/user-header.ts";

export type { AppUser };

/** The request that opened the session: query arguments (name → values, as bokeh) and headers. */
export interface AppRequest {
  readonly arguments: Readonly<Record<string, string[]>>;
  /** Lower-cased request headers, without cookies, credentials and plothost's own headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Who made the request, from the gateway's signed user header; null or absent when there was none. */
  readonly user?: AppUser | null;
}

/** What an app's code receives besides its document. */
export interface AppContext {
  readonly sessionId: string;
  readonly request: AppRequest;
  /**
   * The logged-in user who opened the session (`defaultuser` in single-user mode), as the gateway vouched for
   * it; null only when the worker was reached without the gateway. Never taken from a client-sent header.
   */
  readonly user: AppUser | null;
}

/** An app: the module's default export, called once per session to fill that session's document. */
export type AppHandler = (doc: Document, ctx: AppContext) => void | Promise<void>;

export class AppLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppLoadError";
  }
}

/** Imports the app module once at start; a module without a default function export is refused. */
export async function loadApp(appPath: string): Promise<AppHandler> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(appPath).href)) as { default?: unknown };
  } catch (err) {
    throw new AppLoadError(`could not load app ${appPath}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof mod.default !== "function") {
    throw new AppLoadError(`app ${appPath} must export a default function (doc, ctx) => void`);
  }
  return mod.default as AppHandler;
}
