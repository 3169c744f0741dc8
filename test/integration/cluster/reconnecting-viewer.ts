/**
 * A viewer of a published document as a browser behaves across a gateway restart: pulls the document, applies
 * every PATCH-DOC to its own copy, and when its gateway process goes away (close 1001, or the connection drops)
 * opens a new connection — which the cluster hands to a live process — and pulls again.
 */
import WebSocket from "ws";
import { Document } from "../../../shared/index.ts";
import { Receiver, encodeMessage, pullDocReq, type Message } from "../../../shared/protocol/index.ts";
import { bufferMap } from "../../../client/client-session.ts";
import { tokenFromPage } from "../../helpers/bokeh-client.ts";

export class ReconnectingViewer {
  doc: Document | null = null;
  /** Close codes of every connection the server ended. */
  readonly closes: number[] = [];
  /** The gateway process (x-plothost-process) of each connection, in order. */
  readonly processes: string[] = [];
  /** Patches that could not be applied (the viewer was out of step with the server). */
  readonly errors: Error[] = [];
  private stopped = false;
  private ws: WebSocket | null = null;
  private readonly changed = new Set<() => void>();

  private constructor(private readonly base: string, private readonly id: string) {}

  static async open(base: string, id: string): Promise<ReconnectingViewer> {
    const v = new ReconnectingViewer(base, id);
    await v.connect(Date.now() + 20_000);
    return v;
  }

  /** Resolves once `check(doc)` holds (tested after every change); fails after `timeoutMs`. */
  until(check: (doc: Document) => boolean, timeoutMs = 15_000): Promise<void> {
    if (this.doc && check(this.doc)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => (this.changed.delete(look), reject(new Error(`viewer: condition not met within ${timeoutMs} ms`))), timeoutMs);
      const look = () => {
        if (!this.doc || !check(this.doc)) return;
        clearTimeout(timer);
        this.changed.delete(look);
        resolve();
      };
      this.changed.add(look);
    });
  }

  close(): void {
    this.stopped = true;
    this.ws?.close(1000, "done");
  }

  /** One connection: a fresh page (its token), the socket, ACK, PULL-DOC; retried until `deadline`. */
  private async connect(deadline: number): Promise<void> {
    for (;;) {
      try {
        return await this.connectOnce();
      } catch (err) {
        if (this.stopped || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100)); // a script's reconnect back-off
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const page = await fetch(`${this.base}/doc/${this.id}?public=true`, { signal: AbortSignal.timeout(10_000) });
    if (page.status !== 200) throw new Error(`page: HTTP ${page.status}`);
    const token = tokenFromPage(await page.text());
    const ws = new WebSocket(`${this.base.replace(/^http/, "ws")}/doc/${this.id}/ws?public=true`, ["bokeh", token]);
    const receiver = new Receiver();
    const pull = pullDocReq();
    let pulled = false;
    // This connection's patches, applied in order to the document it pulled (never to a later connection's copy).
    let doc: Document | null = null;
    let applying = Promise.resolve();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => (ws.terminate(), reject(new Error("no PULL-DOC-REPLY within 10 s"))), 10_000);
      ws.once("upgrade", (res) => this.processes.push(String(res.headers["x-plothost-process"])));
      ws.once("error", (err) => (clearTimeout(timer), reject(err)));
      ws.on("message", (data, isBinary) => {
        const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
        const msg = receiver.consume(isBinary ? new Uint8Array(buf) : buf.toString("utf8"));
        if (!msg) return;
        if (msg.header.msgtype === "ACK") return void this.send(ws, pull);
        if (msg.header.reqid === pull.header.msgid) {
          if (msg.header.msgtype !== "PULL-DOC-REPLY") return void reject(new Error(`pull: ${JSON.stringify(msg.content)}`));
          doc = Document.from_json((msg.content as { doc: Parameters<typeof Document.from_json>[0] }).doc, bufferMap(msg));
          this.doc = doc;
          pulled = true;
          clearTimeout(timer);
          this.notify();
          return void resolve();
        }
        if (msg.header.msgtype !== "PATCH-DOC" || !doc) return;
        const into = doc;
        applying = applying.then(async () => {
          await into.apply_json_patch(msg.content as { events: unknown[] }, bufferMap(msg));
          this.notify();
        }).catch((err: unknown) => {
          this.errors.push(err as Error);
          ws.terminate();
        });
      });
      ws.once("close", (code) => {
        clearTimeout(timer);
        if (!pulled) return void reject(new Error(`closed (${code}) before the pull`));
        this.closes.push(code);
        if (!this.stopped) void this.connect(Date.now() + 20_000).catch(() => {});
      });
    });
    this.ws = ws;
  }

  private send(ws: WebSocket, msg: Message): void {
    for (const frame of encodeMessage(msg)) ws.send(frame, { binary: typeof frame !== "string" });
  }

  private notify(): void {
    for (const look of [...this.changed]) look();
  }
}
