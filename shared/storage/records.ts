import { randomBytes } from "node:crypto";
import { PlothostError } from "../errors/catalogue.ts";
import { StorageLimitError, VersionConflictError, notFound } from "./errors.ts";
import type { DocumentMeta, MetaPatch, NewDocument, StoreLimits, Visibility } from "./index.ts";

const MiB = 1024 * 1024;

/**
 * Defaults: 64 MiB per document (four 1,000,000-point Float64 columns take 32 MB), 1 GiB per user. Callers pass
 * their own from config.
 */
export const DEFAULT_LIMITS: Readonly<StoreLimits> = Object.freeze({ maxDocumentBytes: 64 * MiB, maxUserBytes: 1024 * MiB });

const VISIBILITIES: readonly Visibility[] = ["private", "public", "shared"];
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_NAME = 200;
const MAX_TITLE = 1000;
const MAX_SHARED = 1000;

function bad(detail: string): PlothostError {
  return new PlothostError("bad_request", detail);
}

/** Limits with defaults filled in; anything but a positive number is a programming error in the caller's config. */
export function resolveLimits(limits: Partial<StoreLimits> = {}): StoreLimits {
  const out = { ...DEFAULT_LIMITS, ...limits };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== "number" || !(v > 0)) throw new TypeError(`storage limit ${k} must be a positive number of bytes, got ${v}`);
  }
  return out;
}

/** 16 url-safe characters from 96 random bits: unguessable, so a document id can appear in a share link. */
export function newDocumentId(): string {
  return randomBytes(12).toString("base64url");
}

/** Ids the store could have made. Anything else is "not found" without touching storage (no path tricks). */
export function checkId(id: unknown): string {
  if (typeof id !== "string" || !ID_PATTERN.test(id)) throw notFound(String(id));
  return id;
}

function text(value: unknown, what: string, max: number, allowEmpty = false): string {
  if (typeof value !== "string" || (!allowEmpty && value.length === 0) || value.length > max) {
    throw bad(`${what} must be a ${allowEmpty ? "" : "non-empty "}string of at most ${max} characters`);
  }
  return value;
}

function visibility(value: unknown): Visibility {
  if (!VISIBILITIES.includes(value as Visibility)) throw bad(`visibility must be one of ${VISIBILITIES.join(", ")}`);
  return value as Visibility;
}

function sharedWith(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > MAX_SHARED) throw bad(`sharedWith must be a list of at most ${MAX_SHARED} user ids`);
  return [...new Set(value.map((u) => text(u, "each sharedWith entry", MAX_NAME)))];
}

/** The checked metadata fields of a new document (title defaults to the Bokeh document's title). */
export function checkNewDocument(input: NewDocument): Pick<DocumentMeta, "owner" | "name" | "title" | "visibility" | "sharedWith"> {
  if (input === null || typeof input !== "object") throw bad("create needs {owner, name, doc}");
  const docTitle = typeof input.doc?.title === "string" ? input.doc.title : "";
  return {
    owner: text(input.owner, "owner", MAX_NAME),
    name: text(input.name, "name", MAX_NAME),
    title: text(input.title ?? docTitle, "title", MAX_TITLE, true),
    visibility: visibility(input.visibility ?? "private"),
    sharedWith: sharedWith(input.sharedWith ?? []),
  };
}

/** A checked metadata patch; unknown keys are refused so typos do not silently do nothing. */
export function checkMetaPatch(patch: MetaPatch): MetaPatch {
  if (patch === null || typeof patch !== "object") throw bad("a metadata patch must be an object");
  const out: { -readonly [K in keyof MetaPatch]: MetaPatch[K] } = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === "name") out.name = text(value, "name", MAX_NAME);
    else if (key === "title") out.title = text(value, "title", MAX_TITLE, true);
    else if (key === "visibility") out.visibility = visibility(value);
    else if (key === "sharedWith") out.sharedWith = sharedWith(value);
    else throw bad(`'${key}' cannot be changed; only name, title, visibility and sharedWith can`);
  }
  return out;
}

/** Throws the 409 when a pinned `expectedVersion` differs from the document's version. */
export function checkExpectedVersion(id: string, actual: number, expected: number | undefined): void {
  if (expected === undefined) return;
  if (!Number.isSafeInteger(expected) || expected < 1) throw bad("expectedVersion must be a positive integer");
  if (expected !== actual) throw new VersionConflictError(id, expected, actual);
}

/** Throws the 413 when one document's encoding exceeds its limit. */
export function checkDocumentSize(size: number, limits: StoreLimits): void {
  if (size > limits.maxDocumentBytes) throw new StorageLimitError("document", limits.maxDocumentBytes, size);
}

/** A copy callers may keep: records are frozen so nobody edits the store's index through a returned object. */
export function frozenMeta(meta: DocumentMeta): DocumentMeta {
  return Object.freeze({ ...meta, sharedWith: Object.freeze([...meta.sharedWith]) });
}
