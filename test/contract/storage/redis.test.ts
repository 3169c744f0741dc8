import { createStore } from "../../../shared/storage/create-store.ts";
import { redisTestPrefix, REDIS_URL, deleteKeys } from "../../fixtures/storage/redis.ts";
import { documentStoreContract } from "./document-store.contract.ts";

documentStoreContract("redis", async () => {
  const prefixes: string[] = [];
  return {
    open: (options) => {
      const keyPrefix = redisTestPrefix();
      prefixes.push(keyPrefix);
      return createStore({ backend: "redis", url: REDIS_URL, keyPrefix, ...options });
    },
    cleanup: () => deleteKeys(prefixes),
  };
});
