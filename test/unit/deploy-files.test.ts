/**
 * docker-compose.yml, the Dockerfile and deploy/nginx.conf are checked here, since no Docker engine runs in CI:
 * the compose file is well formed, what it references exists, and every gateway's command line is accepted by
 * plothost's own flag parser with the settings the cluster needs (Redis backend, PostgreSQL, proxy headers).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseGatewayConfig } from "../../shared/config/index.ts";
import { projectRoot } from "../helpers/start-gateway.ts";

interface Service {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  ports?: string[];
}

const read = (file: string) => fs.readFileSync(path.join(projectRoot, file), "utf8");
const compose = parse(read("docker-compose.yml"), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const gateways = Object.entries(compose.services).filter(([name]) => name.startsWith("gateway-"));
const runners = Object.entries(compose.services).filter(([name]) => name.startsWith("runner-"));
const SECRETS = { PLOTHOST_SECRET_KEY: "k".repeat(43), PLOTHOST_RUNNER_SECRET: "r".repeat(43) };

/** `${VAR:?message}` and `${VAR}` as compose would substitute them from `vars`. */
const substitute = (value: string, vars: Record<string, string>) => value.replace(/\$\{(\w+)(?::\?[^}]*)?\}/g, (_m, v: string) => vars[v] ?? "");

describe("docker-compose.yml", () => {
  it("runs PostgreSQL, Redis, two gateway replicas, two runners and nginx, each dependency waited for by its health check", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["gateway-1", "gateway-2", "nginx", "postgres", "redis", "runner-1", "runner-2"]);
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dep, how] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[dep], `${name} depends on ${dep}`).toBeDefined();
        expect(how.condition).toBe("service_healthy");
        expect(compose.services[dep]!.healthcheck, `${dep} has a health check`).toBeDefined();
      }
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0]!;
        if (source.startsWith(".")) expect(fs.existsSync(path.join(projectRoot, source)), `${name} mounts ${source}`).toBe(true);
        else expect(compose.volumes, `${name} uses volume ${source}`).toHaveProperty(source);
      }
    }
    expect(compose.services.redis!.command).toEqual(expect.arrayContaining(["--appendonly", "yes", "--appendfsync", "always"]));
  });

  it("every gateway command is accepted by plothost's flag parser: multi-user, Redis backend, PostgreSQL, proxy headers", () => {
    expect(gateways).toHaveLength(2);
    for (const [name, service] of gateways) {
      expect(service.build).toBe(".");
      expect(service.command![0]).toBe("serve");
      const env = Object.fromEntries(Object.entries(service.environment!).map(([k, v]) => [k, substitute(v, SECRETS)]));
      const config = parseGatewayConfig(service.command!.slice(1), env, projectRoot);
      expect(config, name).toMatchObject({
        multiUser: true, backend: "redis", jobQueue: "redis", address: "0.0.0.0", port: 5006, runners: true, runnerSecret: SECRETS.PLOTHOST_RUNNER_SECRET,
        redisUrl: "redis://redis:6379", databaseUrl: "postgresql://plothost:plothost@postgres:5432/plothost", useXheaders: true,
      });
      expect(config.allowWebsocketOrigins).toContain("localhost:8080");
      expect(service.healthcheck!.test.join(" ")).toContain("http://127.0.0.1:5006/readyz");
      expect(service.volumes).toHaveLength(1);
    }
    // Each replica keeps its own data directory.
    expect(new Set(gateways.map(([, s]) => s.volumes![0]!.split(":")[0])).size).toBe(2);
  });

  it("every runner command is accepted by plothost's flag parser, with the gateways' Redis and runner secret, and an address they can reach", () => {
    expect(runners).toHaveLength(2);
    const gatewayEnv = gateways[0]![1].environment!;
    for (const [name, service] of runners) {
      expect(service.build).toBe(".");
      expect(service.command![0]).toBe("runner");
      const env = Object.fromEntries(Object.entries(service.environment!).map(([k, v]) => [k, substitute(v, SECRETS)]));
      expect(env.REDIS_URL).toBe(gatewayEnv.REDIS_URL);
      expect(service.environment!.PLOTHOST_RUNNER_SECRET).toBe(gatewayEnv.PLOTHOST_RUNNER_SECRET);
      const config = parseGatewayConfig(service.command!.slice(1), env, projectRoot);
      expect(config, name).toMatchObject({ address: "0.0.0.0", port: 7100, advertiseAddress: name, redisUrlGiven: true, runnerSecret: SECRETS.PLOTHOST_RUNNER_SECRET });
      expect(service.healthcheck!.test.join(" ")).toContain("http://127.0.0.1:7100/healthz");
      expect(service.depends_on).toHaveProperty("redis");
    }
  });

  it("nginx proxies WebSockets to both gateways, keeping a browser on one of them", () => {
    const conf = read("deploy/nginx.conf");
    const upstream = /upstream plothost \{([^}]*)\}/.exec(conf)![1]!;
    expect(upstream).toContain("ip_hash;");
    expect([...upstream.matchAll(/server ([\w-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual(gateways.map(([name]) => `${name}:5006`));
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(conf).toMatch(/proxy_http_version 1\.1;/);
    expect(conf).toMatch(/X-Forwarded-Proto/);
    expect(compose.services.nginx!.ports).toEqual(["8080:80"]);
  });

  it("the Dockerfile installs the sandbox's packages and serves on the port the compose file uses", () => {
    const dockerfile = read("Dockerfile");
    expect(dockerfile).toMatch(/bubblewrap/);
    expect(dockerfile).toMatch(/python3-seccomp/);
    expect(dockerfile).toMatch(/EXPOSE 5006/);
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "bin\/plothost\.js"\]/);
    expect(fs.existsSync(path.join(projectRoot, "bin", "plothost.js"))).toBe(true);
  });
});
