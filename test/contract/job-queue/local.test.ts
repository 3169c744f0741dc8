import { LocalJobQueue } from "../../../gateway/src/apps/jobs/local-job-queue.ts";
import { jobQueueContract } from "./job-queue.contract.ts";

jobQueueContract("local", async (retry) => ({ queue: new LocalJobQueue(retry), cleanup: async () => {} }));
