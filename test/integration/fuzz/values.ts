import type { Prng } from "./prng.ts";

/** A model of the fuzzed document, as the client sees it after PULL-DOC. */
export interface ModelInfo {
  id: string;
  name: string;
  attributes: Record<string, unknown>;
}

/**
 * Plain objects with an own `__proto__` / `constructor` key, as JSON.parse makes them (a literal would not); parsed
 * afresh for each use, since mutateJson edits values in place (a shared one once ended up inside itself).
 */
const PROTO_BAIT = [
  '{"__proto__": {"polluted": "yes"}}',
  '{"constructor": {"prototype": {"polluted": "yes"}}}',
  '{"type": "map", "entries": [["__proto__", {"polluted": "yes"}]]}',
  '{"type": "object", "attributes": {"__proto__": {"polluted": "yes"}}}',
];

/** Nested arrays `depth` deep, around `inner`. */
export function nested(depth: number, inner: unknown = 0): unknown {
  let v: unknown = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/**
 * A random JSON value chosen to break decoders: wrong primitive types, extreme numbers, Bokeh's tagged values with
 * missing or wrong fields, references to real and unknown model ids, prototype bait, deep nesting.
 */
export function nastyValue(rng: Prng, models: readonly ModelInfo[], depth = 0): unknown {
  if (depth >= 3 || rng.chance(0.6)) return nastyLeaf(rng, models);
  if (rng.chance(0.5)) return Array.from({ length: rng.int(4) }, () => nastyValue(rng, models, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = rng.int(4); i > 0; i--) obj[rng.pick(["type", "id", "name", "attributes", "entries", "data", "value", rng.string(3)])] = nastyValue(rng, models, depth + 1);
  return obj;
}

const LEAF_KINDS = 38;

function nastyLeaf(rng: Prng, models: readonly ModelInfo[]): unknown {
  const realId = () => (models.length > 0 ? rng.pick(models).id : "p1");
  switch (rng.int(LEAF_KINDS)) {
    case 0: return null;
    case 1: return true;
    case 2: return 0;
    case 3: return -1;
    case 4: return 1e308;
    case 5: return -1e-308;
    case 6: return 2 ** 53 + 1;
    case 7: return 0.1;
    case 8: return "";
    case 9: return "x";
    case 10: return rng.string(rng.between(1, 40));
    case 11: return "\u0000\ud800\uffff";
    case 12: return "<script>alert(1)</script>";
    case 13: return rng.string(rng.between(1000, 4000));
    case 14: return { id: realId() };
    case 15: return { id: `nope-${rng.string(4)}` };
    case 16: return { id: rng.pick([42, null, [], ""]) };
    case 17: return { type: "number", value: rng.pick(["nan", "-inf", "+inf", "bogus", 5]) };
    case 18: return { type: "map" };
    case 19: return { type: "map", entries: rng.pick([[], "x", [[1]], [[1, 2, 3]], null, [["a", 1], ["a", 2]]]) };
    case 20: return { type: "set", entries: rng.pick([[], [1, 1], "x", null]) };
    case 21: return { type: "bytes", data: rng.pick(["AAAA", "!!!", "", { id: "no-such-buffer" }, 5, null]) };
    case 22: return { type: "typed_array", array: { type: "bytes", data: rng.pick(["AAAAAAAAAAA=", "AAA", ""]) }, order: rng.pick(["little", "big", "middle"]), dtype: rng.pick(["float64", "int32", "float128", "object", "bool", "int64", 7]) };
    case 23: return { type: "ndarray", array: rng.pick([{ type: "bytes", data: "AAAAAAAAAAA=" }, [1, 2, 3], "x", null]), shape: rng.pick([[1], [2, 2], [-1], [1e9], "x", []]), dtype: rng.pick(["float64", "uint8", "nope"]), order: "little" };
    case 24: return { type: "slice", start: rng.pick([0, -5, null, 1e9, "a"]), stop: rng.pick([1, 1e9, null, -1]), step: rng.pick([1, 0, -1, null, 0.5]) };
    case 25: return { type: "value", value: rng.pick([1, "x", null]) };
    case 26: return { type: "field", field: rng.pick(["x", 5, null]) };
    case 27: return { type: "expr", expr: rng.pick([{ id: realId() }, null, "x"]) };
    case 28: return { type: "date", iso: rng.pick(["2024-01-01", "never", 5]) };
    case 29: return { type: "symbol", name: rng.pick(["x", 5]) };
    case 30: return { type: rng.string(5) };
    case 31: return { type: null };
    case 32: return { type: "object", name: rng.pick(["Slider", "Div", "NoSuchModel", "Figure", ""]), id: rng.pick([realId(), `new-${rng.string(6)}`, 5]), attributes: rng.pick([{}, null, "x", { value: 1 }]) };
    case 33: return { type: "object", name: "ColumnDataSource", id: realId(), attributes: { data: { type: "map", entries: [["x", [1, 2]]] } } };
    case 34:
    case 35: return JSON.parse(rng.pick(PROTO_BAIT)) as unknown;
    // Deeper nesting is built as text by the generator's "deep" cases: as objects it would overflow JSON.stringify.
    case 36: return nested(rng.pick([10, 100, 600]), rng.pick([0, { id: realId() }, { type: "map" }]));
    default: return [realId(), { id: realId() }];
  }
}

type Path = Array<string | number>;

/** Every path into a JSON value (objects and arrays), the root included; at most `limit`, at most 40 deep. */
function paths(value: unknown, at: Path = [], out: Path[] = [], limit = 2000): Path[] {
  if (out.length >= limit) return out;
  out.push(at);
  if (at.length >= 40) return out;
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out, limit));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out, limit);
  return out;
}

function parentOf(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  return node;
}

/**
 * One random structural mutation of a JSON value, made in place (returns the new root, which differs only when
 * the root itself is replaced): a node replaced by a nasty value, a key deleted, an array element duplicated or
 * dropped, a string or number nudged. Callers pass a fresh copy.
 */
export function mutateJson(rng: Prng, root: unknown, models: readonly ModelInfo[]): unknown {
  const all = paths(root);
  const path = rng.pick(all);
  if (path.length === 0) return nastyValue(rng, models);
  const parent = parentOf(root, path) as Record<string | number, unknown>;
  const key = path[path.length - 1];
  const current = parent[key];
  const op = rng.int(6);
  if (op === 0 || op === 1) parent[key] = nastyValue(rng, models);
  else if (op === 2) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (op === 3 && Array.isArray(parent)) parent.splice(key as number, 0, JSON.parse(JSON.stringify(current ?? null)) as unknown);
  else if (op === 4) {
    parent[key] = typeof current === "number" ? rng.pick([current + 1, -current, current * 1e6, String(current), Number.MAX_SAFE_INTEGER])
      : typeof current === "string" ? rng.pick([`${current}x`, "", current.toUpperCase(), current.repeat(50), Number(current.length)])
        : typeof current === "boolean" ? !current
          : rng.pick([[], {}, null, String(current)]);
  } else if (models.length > 0) parent[key] = { id: rng.pick(models).id };
  return root;
}

/** One random edit of a text frame's characters: a cut, an insertion, or a replaced character. */
export function mutateText(rng: Prng, text: string): string {
  const at = rng.int(text.length + 1);
  switch (rng.int(4)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + rng.pick(["{", "}", "[", "]", '"', ",", ":", "\\", "\u0000", "\ud800", "null", "1e999", "\n"]) + text.slice(at);
    case 2:
      return text.slice(0, at) + text.slice(at + rng.between(1, 8));
    default:
      return text.slice(0, at) + rng.string(1, '{}[]":,0123456789abcdeftrunl\\ ') + text.slice(at + 1);
  }
}
