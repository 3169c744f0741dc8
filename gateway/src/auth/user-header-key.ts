import fs from "node:fs";
import path from "node:path";
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";

/**
 * The Ed25519 key that signs the user header to workers, kept in `DATA_DIR/keys/user-header.pem` (0600), so that
 * every gateway process sharing the data directory (`--num-procs`) signs alike: a session's WebSocket may reach
 * its worker through another process than the one that started that worker. Made on first use; a concurrent
 * first use by another process is resolved by exclusive creation (the loser reads the winner's key).
 */
export function loadOrCreateUserHeaderKey(dataDir: string): KeyObject {
  const dir = path.join(dataDir, "keys");
  const file = path.join(dir, "user-header.pem");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    return createPrivateKey(fs.readFileSync(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, pem, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file); // fails if another process made the key first
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return createPrivateKey(fs.readFileSync(file, "utf8"));
}
