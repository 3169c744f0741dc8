#!/usr/bin/env node
// The `plothost` command: runs the TypeScript CLI through tsx (no build step).
import { register } from "tsx/esm/api";

register();
await import("../gateway/src/cli.ts");
