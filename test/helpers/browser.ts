import fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

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
