/** Query string → bokeh's `request.arguments` shape: each name maps to the list of its values. */
export function queryArguments(search: URLSearchParams): Record<string, string[]> {
  const args: Record<string, string[]> = {};
  for (const [k, v] of search) (args[k] ??= []).push(v);
  return args;
}

const HIDDEN_HEADERS = /^(cookie|authorization|proxy-authorization|x-plothost-.*|sec-websocket-.*)$/;

/** Request headers an app may see: everything but credentials and plothost's own. */
export function appHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HIDDEN_HEADERS.test(k)) continue;
    out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}
