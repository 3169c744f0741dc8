/**
 * Writes `obj[key] = value` as an own data property whatever the key. Plain assignment of `"__proto__"` (a key
 * JSON.parse happily produces) would instead replace the object's prototype, so the value would vanish from its
 * entries and the object would inherit whatever the input sent. Keys come from clients here.
 */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
