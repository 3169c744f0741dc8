import { randomBytes } from "node:crypto";
import { BullmqJobQueue } from "../../../gateway/src/apps/jobs/bullmq-job-queue.ts";
import { REDIS_URL, deleteKeys } from "../../fixtures/storage/redis.ts";
import { jobQueueContract } from "./job-queue.contract.ts";

// Real Redis (scripts/ensure-system-deps.sh starts it); each test gets its own key prefix, deleted afterwards.
jobQueueContract("bullmq", async (retry) => {
  const prefix = `plothost-test-jobs-${randomBytes(6).toString("hex")}`;
  return { queue: new BullmqJobQueue(REDIS_URL, prefix, retry), cleanup: () => deleteKeys([`${prefix}:`]) };
});
