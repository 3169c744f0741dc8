import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CredentialsError, CredentialsStore, serverKey } from "../../../client/index.ts";
import { readClientEnv } from "../../../client/client-env.ts";

const made: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-cred-"));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe("CredentialsStore", () => {
  it("keys servers by scheme, host, port and path, ignoring a trailing slash and default ports", () => {
    expect(serverKey("http://Team-Server:5006/")).toBe("http://team-server:5006");
    expect(serverKey("https://viz.example.com:443/plots/")).toBe("https://viz.example.com/plots");
    expect(serverKey("http://localhost:5006")).not.toBe(serverKey("http://127.0.0.1:5006"));
  });

  it("saves tokens per server in a 0600 file inside a 0700 directory it creates, and removes them", () => {
    const home = path.join(tmp(), "deep", ".plothost");
    const store = new CredentialsStore(home);
    expect(store.get("http://a:1")).toBeNull();
    store.set("http://a:1/", { token: "pht_a", username: "ana" });
    store.set("http://b:2", { token: "pht_b", username: null });
    expect(mode(home)).toBe(0o700);
    expect(mode(store.file)).toBe(0o600);
    expect(new CredentialsStore(home).get("http://a:1")).toMatchObject({ token: "pht_a", username: "ana" });
    const json = JSON.parse(fs.readFileSync(store.file, "utf8"));
    expect(json).toMatchObject({ version: 1, servers: { "http://a:1": { token: "pht_a" }, "http://b:2": { token: "pht_b" } } });
    expect(store.remove("http://a:1")).toBe(true);
    expect(store.remove("http://a:1")).toBe(false);
    expect(store.get("http://b:2")?.token).toBe("pht_b");
    expect(fs.readdirSync(home)).toEqual(["credentials.json"]); // no temporary files left behind
  });

  it("refuses a file others can read and a directory others can write, naming the chmod that fixes it", () => {
    const home = tmp();
    const store = new CredentialsStore(home);
    store.set("http://a:1", { token: "pht_a", username: "ana" });
    fs.chmodSync(store.file, 0o640);
    expect(() => store.get("http://a:1")).toThrow(CredentialsError);
    expect(() => store.get("http://a:1")).toThrow(`chmod 600 ${store.file}`);
    expect(() => store.set("http://a:1", { token: "x", username: null })).toThrow(CredentialsError);
    fs.chmodSync(store.file, 0o600);
    fs.chmodSync(home, 0o775);
    expect(() => store.get("http://a:1")).toThrow(`chmod 700 ${home}`);
    fs.chmodSync(home, 0o700);
    expect(store.get("http://a:1")?.token).toBe("pht_a");
  });

  it("reports a file that is not JSON instead of overwriting it", () => {
    const home = tmp();
    fs.writeFileSync(path.join(home, "credentials.json"), "{broken", { mode: 0o600 });
    expect(() => new CredentialsStore(home).get("http://a:1")).toThrow(/not valid JSON.*Delete it and log in again/);
  });
});

describe("readClientEnv", () => {
  it("reads PLOTHOST_HOME, PLOTHOST_TOKEN and PLOTHOST_URL, with defaults", () => {
    expect(readClientEnv({ PLOTHOST_HOME: "/x", PLOTHOST_TOKEN: "pht_t", PLOTHOST_URL: "http://h:1" })).toEqual({ home: "/x", token: "pht_t", rootUrl: "http://h:1" });
    expect(readClientEnv({ PLOTHOST_TOKEN: " " })).toEqual({ home: path.join(os.homedir(), ".plothost"), token: null, rootUrl: "http://localhost:5006" });
  });
});
