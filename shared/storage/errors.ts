import { PlothostError } from "../errors/catalogue.ts";

/**
 * 409 `conflict`: a write pinned `expectedVersion` and the document is at another version (or, without a pin,
 * cross-process contention outlasted the store's retries). `actual` is null when it is unknown.
 */
export class VersionConflictError extends PlothostError {
  readonly expected: number | null;
  readonly actual: number | null;

  constructor(id: string, expected: number | null, actual: number | null) {
    super(
      "conflict",
      expected === null
        ? `document ${id} kept changing under concurrent writers (now at version ${actual ?? "unknown"})`
        : `document ${id} is at version ${actual ?? "unknown"}, not ${expected}`,
    );
    this.name = "VersionConflictError";
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * 413 `payload_too_large`: a write would make one document larger than `maxDocumentBytes` (`scope: "document"`)
 * or its owner's documents together larger than `maxUserBytes` (`scope: "user"`). Nothing was changed.
 */
export class StorageLimitError extends PlothostError {
  readonly scope: "document" | "user";
  readonly limit: number;
  /** The size the write would have reached (the document's, or the owner's total). */
  readonly size: number;

  constructor(scope: "document" | "user", limit: number, size: number) {
    super(
      "payload_too_large",
      scope === "document"
        ? `the document would take ${size} bytes; the limit per document is ${limit}`
        : `the owner's documents would take ${size} bytes together; the limit per user is ${limit}`,
    );
    this.name = "StorageLimitError";
    this.scope = scope;
    this.limit = limit;
    this.size = size;
  }
}

/** 404 `document_not_found` for `id`. */
export function notFound(id: string): PlothostError {
  return new PlothostError("document_not_found", `no document '${id}'`);
}

/** The error every call on a closed store gets. */
export function closedStore(): PlothostError {
  return new PlothostError("internal", "the document store is closed");
}
