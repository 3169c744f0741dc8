/**
 * Bokeh-style model ids: "p" + a process-wide counter (Python starts at p1001). Every explicit id of the form
 * `p<digits>` seen by this process (parsed documents, patches, `new Model(..., {id})`) moves the counter past it,
 * so ids made here never collide with ids that came from elsewhere.
 */
let last = 1000;

const PATTERN = /^p(\d+)$/;

/** A fresh id, never handed out before and larger than every `p<digits>` id this process has seen. */
export function nextId(): string {
  last += 1;
  return `p${last}`;
}

/** Records an id from outside so that `nextId()` stays clear of it. Ids of any other form are ignored. */
export function noteId(id: string): void {
  const match = PATTERN.exec(id);
  if (match === null) return;
  const n = Number(match[1]);
  if (Number.isSafeInteger(n) && n > last) last = n;
}
