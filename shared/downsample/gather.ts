/** A column the downsamplers can read and gather from: a typed array or a plain list. */
export type GatherableColumn = ArrayLike<unknown> & { readonly length: number };

type TypedCtor = new (length: number) => ArrayLike<unknown> & { [i: number]: unknown };

/**
 * The values of `column` at `indices`, as a new column of the same kind: a typed array of the same type for a typed
 * array (so it travels as a binary buffer), a plain list otherwise. The source column is only read.
 */
export function gatherColumn<C extends GatherableColumn>(column: C, indices: ArrayLike<number>): C {
  if (ArrayBuffer.isView(column)) {
    const out = new (column.constructor as TypedCtor)(indices.length);
    for (let k = 0; k < indices.length; k++) out[k] = column[indices[k]];
    return out as unknown as C;
  }
  const out = new Array<unknown>(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = column[indices[k]];
  return out as unknown as C;
}
