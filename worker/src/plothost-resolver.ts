/**
 * A Node module-resolution hook (registered with `module.register`) that makes `import ... from "plothost"`
 * resolve to this package's public entry from app code anywhere on disk — apps live outside the package (in an
 * app's version directory), where Node's own lookup would not find it.
 */
const ENTRY = new URL("../../shared/index.ts", import.meta.url).href;

type Resolve = (specifier: string, context: unknown, next: (s: string, c?: unknown) => Promise<unknown>) => Promise<unknown>;

export const resolve: Resolve = async (specifier, context, next) => {
  if (specifier === "plothost") return { url: ENTRY, shortCircuit: true };
  return next(specifier, context);
};
