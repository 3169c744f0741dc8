import fs from "node:fs";
import path from "node:path";
import { createHmac, createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";

/** PKCS#8 DER of an Ed25519 private key, up to its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * With `PLOTHOST_SECRET_KEY` set, the user-header key is derived from it (HMAC-SHA256 of a fixed label as the
 * Ed25519 seed), so gateways on different hosts with separate data directories (two replicas behind nginx, whose
 * sessions reach the same runners' workers) sign alike; without one it lives in the data directory (below).
 */
export function userHeaderKey(dataDir: string, secretKey: string | null): KeyObject {
  if (secretKey === null) return loadOrCreateUserHeaderKey(dataDir);
  const seed = createHmac("sha256", secretKey).update("plothost user-header signing key v1").digest();
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

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
