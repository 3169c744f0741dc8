/**
 * Protocol fuzzing (issue 10): seeded, reproducible cases of malformed frames, wrong num_buffers, invalid JSON,
 * huge and deeply nested messages, unknown and server-only message types, patches with unknown ids and wrong value
 * types, and mutations of real recorded Bokeh 3.6 client traffic. The server must answer every message (OK, ERROR
 * or a reply) or close with a documented code (shared/protocol/errors.ts), and keep serving everyone else.
 * Failures print the seed and case index; `npm run fuzz -- --seed S --count N` runs longer.
 */
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import demo from "../../../apps/demo.ts";
import { Document } from "../../../shared/index.ts";
import {
  MESSAGE_TOO_BIG_CLOSE, ProtocolError, Receiver, parseServerMessage, patchDocFromClient, pullDocReq, type Message,
} from "../../../shared/protocol/index.ts";
import { ProtocolConnection, ServerSession } from "../../../shared/session/index.ts";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";
import { startGateway } from "../../helpers/start-gateway.ts";
import { CI_SEED, FUZZ_MAX_MESSAGE_BYTES, describeFailures, inProcessFuzzSuite, unexplained } from "./in-process-suite.ts";
import { fuzzOverSockets } from "./over-sockets.ts";

const SEED = CI_SEED;
const SOCKET_CASES = 400;
const MAX_MESSAGE_BYTES = FUZZ_MAX_MESSAGE_BYTES;

/** A fake socket that decodes what the connection sends. */
function fakeSocket() {
  const receiver = new Receiver({ maxMessageBytes: 1 << 30 });
  const sent: Message[] = [];
  const state = { closed: null as { code: number; reason: string } | null };
  return {
    sent, state,
    socket: {
      send: (f: string | Uint8Array) => {
        const m = receiver.consume(f);
        if (m) sent.push(parseServerMessage(m));
      },
      close: (code: number, reason: string) => void (state.closed = { code, reason }),
    },
  };
}

async function demoSession(): Promise<ServerSession> {
  const session = new ServerSession("regression", new Document(), { binaryThresholdBytes: 64, onCallbackError: () => {} });
  await session.withDocument((doc) => demo(doc));
  return session;
}

/** Lets queued promise work (the connection's message chain, the document lock) run to completion. */
const drain = () => new Promise((resolve) => setImmediate(resolve));

// Cases 0..29,999 here; protocol-fuzz-2/-3.test.ts run the rest of the CI total (CI_IN_PROCESS_CASES).
inProcessFuzzSuite(0, 30_000);

describe("protocol hardening regressions (found by the fuzzer)", () => {
  it("answers every complete message before a malformed frame, then closes with 1002", async () => {
    const session = await demoSession();
    const { socket, sent, state } = fakeSocket();
    const conn = new ProtocolConnection(socket, session, { maxMessageBytes: MAX_MESSAGE_BYTES, binaryThresholdBytes: 64 });
    const slider = session.document.get_model_by_name("frequency")!;
    const patch = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: slider.id }, attr: "value", new: 3 }] });
    for (const f of [JSON.stringify(patch.header), "{}", JSON.stringify(patch.content)]) conn.handleFrame(f);
    conn.handleFrame(new Uint8Array([1, 2, 3])); // binary where a header (text) is expected
    conn.handleFrame('{"msgid":"late","msgtype":"SERVER-INFO-REQ"}'); // after the violation: ignored
    await drain();
    expect(sent.find((m) => m.header.reqid === patch.header.msgid)?.header.msgtype).toBe("OK");
    expect(state.closed?.code).toBe(1002);
    expect(sent.some((m) => m.header.reqid === "late")).toBe(false);
    expect(slider.get("value")).toBe(3);
    await session.destroy();
  });

  it("does not apply messages queued behind one that closed the connection", async () => {
    const session = await demoSession();
    const { socket, sent, state } = fakeSocket();
    const conn = new ProtocolConnection(socket, session, { maxMessageBytes: MAX_MESSAGE_BYTES, binaryThresholdBytes: 64 });
    const slider = session.document.get_model_by_name("frequency")!;
    const before = slider.get("value");
    conn.handleFrame('{"msgid":"bad","msgtype":"ACK"}'); // a server-only type: closes the connection
    conn.handleFrame("{}");
    conn.handleFrame("{}");
    const patch = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: slider.id }, attr: "value", new: 4 }] });
    for (const f of [JSON.stringify(patch.header), "{}", JSON.stringify(patch.content)]) conn.handleFrame(f);
    await drain();
    expect(state.closed?.code).toBe(1002);
    expect(slider.get("value")).toBe(before);
    expect(sent.map((m) => m.header.msgtype)).toEqual(["ACK"]);
    await session.destroy();
  });

  it("refuses JSON nested deeper than the receiver's limit with json_too_deep / 1009, counting only real brackets", () => {
    const nested = (d: number) => `${"[".repeat(d)}1${"]".repeat(d)}`;
    const consume = (content: string) => {
      const r = new Receiver();
      r.consume('{"msgid":"m","msgtype":"PATCH-DOC"}');
      r.consume("{}");
      return r.consume(content);
    };
    expect(consume(nested(512))).not.toBeNull();
    const err = (() => {
      try {
        consume(nested(513));
      } catch (e) {
        return e as ProtocolError;
      }
      throw new Error("accepted");
    })();
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.code).toBe("json_too_deep");
    expect(err.closeCode).toBe(MESSAGE_TOO_BIG_CLOSE);
    // Brackets inside strings (escaped quotes included) are not nesting.
    expect(consume(JSON.stringify({ s: `\\"${"[".repeat(5000)}`, t: "]]]\"{{{" }))).not.toBeNull();
    expect(() => consume(nested(100_000))).toThrow(/nests deeper than 512/);
  });

  it("a client cannot store a value so deep that the session's document no longer serializes", async () => {
    const session = await demoSession();
    const { socket, state } = fakeSocket();
    const conn = new ProtocolConnection(socket, session, { maxMessageBytes: 1 << 20, binaryThresholdBytes: 64 });
    const div = session.document.get_model_by_name("status")!;
    const deep = `${"[".repeat(2000)}1${"]".repeat(2000)}`;
    for (const f of ['{"msgid":"deep","msgtype":"PATCH-DOC"}', "{}", `{"events":[{"kind":"ModelChanged","model":{"id":"${div.id}"},"attr":"text","new":${deep}}]}`]) conn.handleFrame(f);
    await drain();
    expect(state.closed?.code).toBe(MESSAGE_TOO_BIG_CLOSE);
    expect(() => session.document.to_json_with_buffers({ threshold: 64 })).not.toThrow();
    await session.destroy();
  });

  it("refuses a model as a data source's columns instead of copying its internals in (which hung the worker)", async () => {
    const session = await demoSession();
    const { socket, sent, state } = fakeSocket();
    const conn = new ProtocolConnection(socket, session, { maxMessageBytes: MAX_MESSAGE_BYTES, binaryThresholdBytes: 64 });
    const source = session.document.get_model_by_name("points")!;
    const slider = session.document.get_model_by_name("frequency")!;
    for (const [i, value] of [{ id: source.id }, { id: slider.id }, { type: "object", name: "ColumnDataSource", id: slider.id, attributes: {} }].entries()) {
      const patch = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: source.id }, attr: "data", new: value }] });
      for (const f of [JSON.stringify(patch.header), "{}", JSON.stringify(patch.content)]) conn.handleFrame(f);
      await drain();
      const reply = sent.find((m) => m.header.reqid === patch.header.msgid);
      expect(reply?.header.msgtype, `case ${i}`).toBe("ERROR");
    }
    expect(state.closed).toBeNull();
    expect(source.get("data")).toBeInstanceOf(Map);
    expect(() => session.document.to_json_with_buffers({ threshold: 64 })).not.toThrow();
    await session.destroy();
  });

  it("a ModelChanged of attr '__proto__' or 'hasOwnProperty' is an ordinary attribute, not an internal TypeError", async () => {
    const session = await demoSession();
    const { socket, sent, state } = fakeSocket();
    const conn = new ProtocolConnection(socket, session, { maxMessageBytes: MAX_MESSAGE_BYTES, binaryThresholdBytes: 64 });
    const slider = session.document.get_model_by_name("frequency")!;
    for (const attr of ["__proto__", "hasOwnProperty"]) {
      const patch = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: slider.id }, attr, new: 1 }] });
      for (const f of [JSON.stringify(patch.header), "{}", JSON.stringify(patch.content)]) conn.handleFrame(f);
      await drain();
      expect(sent.find((m) => m.header.reqid === patch.header.msgid)?.header.msgtype, attr).toBe("OK");
      expect(slider.get(attr)).toBe(1);
    }
    expect(state.closed).toBeNull();
    const written = JSON.stringify(session.document.to_json());
    expect(written).toContain(`"__proto__":1`);
    expect(written).toContain(`"hasOwnProperty":1`);
    await session.destroy();
  });
});

describe("protocol fuzzing over real WebSockets (gateway → sandboxed worker)", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let pid: number;
  const exits: unknown[] = [];
  /** The gateway's client-side sockets of proxied WebSockets still open. */
  const upgraded = new Set<Duplex>();
  beforeAll(async () => {
    gw = await startGateway(["--websocket-max-message-size", String(MAX_MESSAGE_BYTES)]);
    gw.server.on("upgrade", (_req, socket: Duplex) => {
      upgraded.add(socket);
      socket.once("close", () => upgraded.delete(socket));
    });
    const sup = gw.supervisors.get("demo")!;
    await sup.ready();
    pid = sup.pid!;
    sup.on("exit", (e) => exits.push(e));
  });
  afterAll(async () => {
    await gw?.close();
  });

  it(`${SOCKET_CASES} seeded cases through the proxy: answered or closed with a documented code`, async () => {
    const report = await fuzzOverSockets({ port: gw.port, app: "demo", maxMessageBytes: MAX_MESSAGE_BYTES }, { seed: SEED, count: SOCKET_CASES });
    const failures = unexplained(report);
    expect(failures, describeFailures(failures)).toEqual([]);
    expect(report.cases).toBe(SOCKET_CASES);
    expect(report.endings["1002"]).toBeGreaterThan(0);
    expect(report.endings.open).toBeGreaterThan(0);
  }, 120_000);

  it("no gateway socket outlives a WebSocket the worker's ws closed itself (1007, 1009)", async () => {
    // When the worker side closes first, http-proxy unpipes the client socket and leaves it paused; AppProxy ends
    // it with the worker's side (without that, one leaked fd per such connection and a server.close() that hangs).
    const deadline = Date.now() + 10_000;
    while (upgraded.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upgraded.size).toBe(0);
  }, 20_000);

  it("afterwards the same worker process still serves: a fresh session pulls and a patch round-trips", async () => {
    const sup = gw.supervisors.get("demo")!;
    expect(exits).toEqual([]);
    expect(sup.pid).toBe(pid);
    expect(sup.state).toBe("running");
    const page = await fetch(`${gw.url}/demo`);
    const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/demo/ws`, tokenFromPage(await page.text()));
    expect((await client.next()).header.msgtype).toBe("ACK");
    const pull = pullDocReq();
    client.send(pull);
    const reply = await client.reply(pull.header.msgid);
    expect(reply.header.msgtype).toBe("PULL-DOC-REPLY");
    const text = JSON.stringify(reply.content);
    const sliderId = /"name":"Slider","id":"([^"]+)"/.exec(text)?.[1];
    const sourceId = /"name":"ColumnDataSource","id":"([^"]+)","attributes":\{"name":"points"/.exec(text)?.[1];
    expect(sliderId && sourceId).toBeTruthy();
    const patch = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: sliderId }, attr: "value", new: 2 }] });
    client.send(patch);
    const back = await client.next((m) => m.header.msgtype === "PATCH-DOC" && JSON.stringify(m.content).includes(`"id":"${sourceId}"`));
    expect(back.buffers.length).toBeGreaterThan(0);
    expect((await client.reply(patch.header.msgid)).header.msgtype).toBe("OK");
    await client.close();
  });
});
