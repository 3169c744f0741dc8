import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";

/**
 * A random id of this data directory, made on first use and kept in `DATA_DIR/deployments/.data-dir-id`. Gateway
 * processes sharing the directory (`--num-procs`) share it; replicas with directories of their own (two hosts)
 * have different ones. Deploy jobs use it to run where the uploaded archive is. A concurrent first use by another
 * process is resolved by exclusive creation (the loser reads the winner's id).
 */
export function dataDirId(dataDir: string): string {
  const dir = path.join(dataDir, "deployments");
  const file = path.join(dir, ".data-dir-id");
  fs.mkdirSync(dir, { recursive: true });
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, randomBytes(8).toString("hex"));
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return fs.readFileSync(file, "utf8").trim();
}
