import path from "node:path";
import fs from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseGatewayConfig } from "../../shared/config/index.ts";
import { createLogger } from "../../shared/logging/create-logger.ts";
import { createGateway, type Gateway } from "../../gateway/src/app.ts";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Starts a real gateway on an ephemeral port with real sandboxed workers; `close()` tears everything down. */
export async function startGateway(args: string[] = [], env: Record<string, string> = {}, existingDataDir?: string): Promise<Gateway & { url: string; port: number; dataDir: string; closeKeepingData(): Promise<void> }> {
  const dataDir = existingDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "plothost-test-"));
  const config = parseGatewayConfig(["--port", "0", "-D", dataDir, ...args], env, projectRoot);
  const logger = createLogger({ level: process.env.PLOTHOST_TEST_LOG ?? "silent", name: "gateway" });
  const gateway = await createGateway(config, logger);
  const { port } = await gateway.listen();
  const closeGateway = gateway.close;
  return Object.assign(gateway, {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    closeKeepingData: closeGateway,
    close: async () => {
      await closeGateway();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
