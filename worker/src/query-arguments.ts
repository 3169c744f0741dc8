/** Query string → bokeh's `request.arguments` shape: each name maps to the list of its values. */
export function queryArguments(search: URLSearchParams): Record<string, string[]> {
  const args: Record<string, string[]> = {};
  for (const [k, v] of search) (args[k] ??= []).push(v);
  return args;
}
