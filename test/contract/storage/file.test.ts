import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStore } from "../../../shared/storage/create-store.ts";
import { documentStoreContract } from "./document-store.contract.ts";

documentStoreContract("file", async () => {
  const root = await mkdtemp(join(tmpdir(), "plothost-store-"));
  let n = 0;
  return {
    // `backend` left out on purpose: file is the default.
    open: (options) => createStore({ directory: join(root, `store-${n++}`), ...options }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});
