import fs from "node:fs";
import { chromium, type Browser, type Frame, type Page } from "playwright-core";

/** Debian's Chromium (installed by scripts/ensure-system-deps.sh), headless, with no background networking. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
  if (!executablePath) throw new Error("Chromium is not installed: run `bash scripts/ensure-system-deps.sh` (as root) or `apt-get install chromium`");
  return chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
      "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
}

/** Collects the page's uncaught errors (and, with `console`, its console errors) into the returned array. */
export function recordErrors(page: Page, opts: { console?: boolean } = {}): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  if (opts.console) page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  return errors;
}

/** Resolves once BokehJS in the page (or frame) has built at least one document; fails after `timeoutMs`. */
export async function bokehRendered(page: Page | Frame, timeoutMs = 20_000): Promise<void> {
  await page.waitForFunction(() => ((window as unknown as { Bokeh?: { documents: unknown[] } }).Bokeh?.documents.length ?? 0) > 0, undefined, { timeout: timeoutMs });
}
