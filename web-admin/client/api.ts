/** The admin API as the console's script calls it: same-origin, JSON, with the page's CSRF token. */

const meta = (name: string): string => document.querySelector(`meta[name="${name}"]`)?.getAttribute("content") ?? "";

/** Where plothost is mounted ("" at the site root). */
export const base = meta("plothost-base");

/** Thrown for an error response; `code` is the catalogue code (e.g. `last_admin`). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Calls `path` (below the mount) and returns its JSON body (null for 204). */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    credentials: "same-origin",
    headers: { accept: "application/json", "content-type": "application/json", "x-csrf-token": meta("plothost-csrf") },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null as T;
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? "http_error", data?.error?.message ?? `The server answered HTTP ${res.status}.`);
  return data as T;
}

/** `/api/v1/admin/users/<name>`-style path segments. */
export const seg = (s: string): string => encodeURIComponent(s);

/** A random password for "generate a one-time password": 18 characters from an unambiguous alphabet. */
export function generatePassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}
