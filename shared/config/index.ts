export { ConfigError } from "./config-error.ts";
export { parseGatewayConfig, appNameFromPath, DEFAULT_PORT, type GatewayConfig, type AppSpec, type SandboxPreference } from "./gateway-config.ts";
export { parseWorkerConfig, workerConfigToArgs, type WorkerConfig } from "./worker-config.ts";
