/**
 * The JSON shapes of the plothost HTTP API's resources, one description for everything that reads them: the
 * client library (client/) and the admin console's rows (web-admin/view-types.ts). Times are ISO 8601 strings.
 */

/** An account (`/api/v1/me`, login, register, the admin API). */
export interface UserInfo {
  readonly id: number;
  readonly username: string;
  readonly role: "admin" | "user";
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly lastLoginAt: string | null;
}

/** A published document's metadata and links. */
export interface DocumentInfo {
  readonly id: string;
  readonly owner: string;
  readonly name: string;
  readonly title: string;
  readonly visibility: "private" | "public" | "shared";
  readonly sharedWith: readonly string[];
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sizeBytes: number;
  /** The document's page for people who can log in. */
  readonly url: string;
  /** The link anyone may open, for a public document; null otherwise. */
  readonly publicUrl: string | null;
}
