import { createStore } from "../../../shared/storage/create-store.ts";
import { documentStoreContract } from "./document-store.contract.ts";

documentStoreContract("memory", async () => ({
  open: (options) => createStore({ backend: "memory", ...options }),
  cleanup: async () => undefined,
}));
