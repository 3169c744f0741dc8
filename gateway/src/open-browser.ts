import { spawn } from "node:child_process";

/**
 * `plothost serve --show`: opens `url` in a browser, as `bokeh serve --show` does. `BROWSER` (the convention of
 * xdg-open and Python's webbrowser) names the command to run with the URL; otherwise `open` on macOS, `start` on
 * Windows, `xdg-open` where a display exists. Without any of these (a server, CI) it opens nothing and returns a
 * line saying where to point a browser. Never throws: a browser that cannot start only costs that line.
 */
export function openInBrowser(url: string, env: Readonly<Record<string, string | undefined>>, platform = process.platform): string {
  const browser = env.BROWSER?.split(":")[0]?.trim();
  const [cmd, args]: [string, string[]] | [null, null] = browser ? [browser, [url]]
    : platform === "darwin" ? ["open", [url]]
    : platform === "win32" ? ["cmd", ["/c", "start", "", url]]
    : env.DISPLAY || env.WAYLAND_DISPLAY ? ["xdg-open", [url]]
    : [null, null];
  if (cmd === null) return `--show: no browser to open here (no DISPLAY or BROWSER); open ${url} yourself`;
  try {
    const child = spawn(cmd, args, { stdio: "ignore", detached: true, env: { ...env } as NodeJS.ProcessEnv });
    child.once("error", () => {});
    child.unref();
  } catch {
    return `--show: could not start ${cmd}; open ${url} yourself`;
  }
  return `opening ${url} with ${cmd}`;
}
