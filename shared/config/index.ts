export { ConfigError } from "./config-error.ts";
export { parseGatewayConfig, appNameFromPath, DEFAULT_PORT, SERVE_OPTIONS, type GatewayConfig, type AppSpec, type SandboxPreference } from "./gateway-config.ts";
export { parseWorkerConfig, workerConfigToArgs, type WorkerConfig } from "./worker-config.ts";
export { envName, type ListenConfig } from "./listen-config.ts";
