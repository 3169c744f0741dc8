import { AsyncLocalStorage } from "node:async_hooks";

/**
 * @internal The async context that makes a document "current". Holds `unknown` so this module does not import
 * `document.ts` (which imports it); `curdoc.ts` gives it its type.
 */
export const documentContext = new AsyncLocalStorage<unknown>();
