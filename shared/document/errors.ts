/**
 * Stable codes for everything the document layer refuses. Callers (the worker's session code) switch on `code`
 * to decide between answering a client with an ERROR message, closing its socket, or reporting an app bug.
 */
export type DocumentErrorCode =
  | "bad_patch" // PATCH-DOC content is not `{events: [...]}`
  | "bad_event" // an event lacks a field or has one of the wrong type
  | "unknown_event" // an event `kind` this layer does not know
  | "unknown_model" // a `{"id"}` reference to a model that is neither in the document nor defined alongside
  | "unknown_buffer" // a `{"type":"bytes","data":{"id"}}` whose buffer was not supplied
  | "bad_value" // a serialized value that cannot be decoded (bad ndarray, bad map entries, ...)
  | "bad_document" // document JSON without `roots`/`title` of the right shape
  | "unserializable" // a value (function, symbol, bigint, ...) that has no Bokeh encoding
  | "duplicate_id" // two different model instances with one id in one document
  | "foreign_model" // a model that already belongs to another document
  | "duplicate_name" // get_model_by_name found several models with that name
  | "bad_columns" // stream/patch data that does not fit the data source's columns
  | "bad_argument" // a helper (figure, glyph methods, ...) got an option it cannot use
  | "destroyed" // a session callback was added after destroy()
  | "no_current_document"; // curdoc() outside runWithDocument / a document callback

/**
 * The one error type thrown by `shared/document` and `shared/models`. The message says what to do next; `code`
 * is stable and meant for programs.
 */
export class DocumentError extends Error {
  readonly code: DocumentErrorCode;

  constructor(code: DocumentErrorCode, message: string) {
    super(message);
    this.name = "DocumentError";
    this.code = code;
  }
}
