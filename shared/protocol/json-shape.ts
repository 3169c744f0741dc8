/**
 * The little the protocol layer knows about Bokeh's document JSON: enough to reject a message whose content is
 * plainly the wrong shape. The models, references and values inside are checked by the document layer, not here.
 */

/**
 * A document as it travels in PULL-DOC-REPLY and PUSH-DOC content (`doc`): `roots` is required, `version`,
 * `title`, `config`, `defs`, `callbacks` are optional and passed through unchecked.
 */
export interface WireDocJson {
  roots: unknown[];
  version?: string;
  title?: string;
  [key: string]: unknown;
}

/**
 * One PATCH-DOC event (`ModelChanged`, `ColumnsStreamed`, `MessageSent`, ...). Only `kind` is checked here;
 * the other fields depend on the kind and are the document layer's business.
 */
export interface WireEvent {
  kind: string;
  [key: string]: unknown;
}

/** Whether a parsed JSON value is an object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `value` looks like a {@link WireDocJson}: an object with a `roots` array. */
export function isWireDocJson(value: unknown): value is WireDocJson {
  return isPlainObject(value) && Array.isArray(value.roots);
}

/** Whether `value` is an array of objects that each have a string `kind`. */
export function isWireEventList(value: unknown): value is WireEvent[] {
  return Array.isArray(value) && value.every((event) => isPlainObject(event) && typeof event.kind === "string");
}
