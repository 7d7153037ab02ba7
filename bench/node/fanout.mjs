// The fan-out benchmark's load: C clients join one board, the first S of them send `live` points
// R times a second for D seconds, and everyone counts what reaches them.
//
//   node bench/node/fanout.mjs --url ws://127.0.0.1:8000/ws/boards/BOARD --clients 200 \
//     --senders 200 --rate 30 --seconds 10 --points HEX[,HEX...]
//
// It speaks the board protocol (msgpack in binary frames; a server frame is an array of
// messages), so it drives inkroom and the reference relays in bench/ alike. One Node process
// holds every client, so senders and receivers share one clock: a message's stroke id carries
// the time it was sent. Decoding every delivery would make the driver the bottleneck, so most
// clients only count the messages of each frame (its array header); `--observers` clients decode
// everything and give the latencies. Progress and the result are JSON lines on stdout:
// {"event":"joined"}, {"event":"start"}, {"event":"stop"}, then {"event":"result", ...}.
// `--url` may list several addresses, comma-separated (one board on several processes): client i
// connects to the (i mod n)-th.

import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { decode, encode } from "@msgpack/msgpack";
import WebSocket from "ws";

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    clients: { type: "string", default: "50" },
    senders: { type: "string" },
    rate: { type: "string", default: "30" },
    seconds: { type: "string", default: "10" },
    points: { type: "string" },
    observers: { type: "string", default: "16" },
    "joins-in-flight": { type: "string", default: "100" },
    hold: { type: "string", default: "1" },
    drain: { type: "string", default: "2" },
    // The server echoes each sender's own messages (inkroom, the shared-frame relay): count them out.
    echo: { type: "boolean", default: false },
  },
});

const clients = Number(args.clients);
const senders = Math.min(clients, Number(args.senders ?? args.clients));
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const observers = Math.min(clients, Number(args.observers));
const runs = (args.points ?? "").split(",").filter(Boolean).map((hex) => Buffer.from(hex, "hex"));
if (!args.url || runs.length === 0) throw new Error("--url and --points are required");
const urls = args.url.split(",");

const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

/** How many messages a server frame holds: the msgpack array header, nothing else read. */
function countOf(data) {
  const first = data[0];
  if ((first & 0xf0) === 0x90) return first & 0x0f;
  if (first === 0xdc) return data.readUInt16BE(1);
  if (first === 0xdd) return data.readUInt32BE(1);
  return 0;
}

/** How many times ``key`` occurs in ``data`` (a sender's own stroke keys in a frame). */
function occurrences(data, key) {
  let count = 0;
  for (let at = data.indexOf(key); at !== -1; at = data.indexOf(key, at + key.length)) count += 1;
  return count;
}

const tally = { counting: false, delivered: 0, sent: 0, latencies: [], bytes: 0, frames: 0 };

class Client {
  constructor(index) {
    this.index = index;
    this.observer = index >= clients - observers; // the last ones: receivers when few send
    this.synced = false;
    this.sent = 0;
    // How this client's own stroke keys begin, to count its echoes without decoding a frame.
    this.ownKey = Buffer.from(`k${index}_`);
  }

  open() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(urls[this.index % urls.length], { perMessageDeflate: false, maxPayload: 0 });
      this.ws = ws;
      ws.binaryType = "nodebuffer";
      ws.on("open", () => {
        ws.send(encode({ type: "join", user: `bench-user-${this.index}`, name: `Bench ${this.index}`, color: "#1971c2", point_format: 2 }));
      });
      ws.on("message", (data) => {
        if (!this.synced) {
          // `synced` comes in a frame of its own, a few bytes long: the welcome (which lists
          // everyone here) and the replay are not worth decoding.
          if (data.length > 64) return;
          const messages = decode(data);
          if (messages.some((m) => m.type === "synced")) {
            this.synced = true;
            resolve();
          }
          return;
        }
        if (!tally.counting) return;
        tally.frames += 1;
        tally.bytes += data.length;
        if (!this.observer) {
          tally.delivered += countOf(data);
          if (args.echo) tally.delivered -= occurrences(data, this.ownKey);
          return;
        }
        const now = performance.now();
        for (const message of decode(data)) {
          tally.delivered += 1;
          if (message.type === "live") {
            if (args.echo && message.stroke.startsWith(`k${this.index}_`)) {
              tally.delivered -= 1;
              continue;
            }
            const sentAt = Number(message.stroke.slice(message.stroke.indexOf("_") + 1)) / 1000;
            tally.latencies.push(now - sentAt);
          }
        }
      });
      ws.on("error", reject);
      ws.on("close", (code) => {
        if (!this.synced) reject(new Error(`closed with ${code} before synced`));
      });
    });
  }

  send(counter) {
    const stroke = `k${this.index}_${Math.round(performance.now() * 1000)}`;
    const points = runs[(this.index + counter) % runs.length];
    this.ws.send(encode({ type: "live", stroke, color: "#1971c2", width: 3, points }));
    tally.sent += 1;
    if (tally.counting) this.sent += 1;
  }
}

const all = Array.from({ length: clients }, (_, i) => new Client(i));
const joinStarted = performance.now();
let next = 0;
async function joinWorker() {
  while (next < all.length) await all[next++].open();
}
await Promise.all(Array.from({ length: Number(args["joins-in-flight"]) }, joinWorker));
const joinSeconds = (performance.now() - joinStarted) / 1000;
say({ event: "joined", clients, seconds: joinSeconds });
await new Promise((resolve) => setTimeout(resolve, Number(args.hold) * 1000));

const cpuBefore = process.cpuUsage();
tally.counting = true;
say({ event: "start" });
const started = performance.now();
const timers = all.slice(0, senders).map((client, i) => {
  let counter = 0;
  const interval = 1000 / rate;
  // Spread the senders over one interval so that they do not all send at once.
  return setTimeout(() => {
    client.timer = setInterval(() => client.send(counter++), interval);
  }, (interval * i) / senders);
});
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
for (const timer of timers) clearTimeout(timer);
for (const client of all) clearInterval(client.timer);
const sendSeconds = (performance.now() - started) / 1000;
say({ event: "stop" });
await new Promise((resolve) => setTimeout(resolve, Number(args.drain) * 1000));
tally.counting = false;
const cpu = process.cpuUsage(cpuBefore);

const sorted = tally.latencies.sort((a, b) => a - b);
const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
const expected = tally.sent * (clients - 1);
say({
  event: "result",
  clients,
  senders,
  sent: tally.sent,
  expected,
  delivered: tally.delivered,
  delivered_share: expected ? tally.delivered / expected : null,
  frames: tally.frames,
  bytes: tally.bytes,
  p50_ms: at(0.5),
  p99_ms: at(0.99),
  max_ms: sorted.length ? sorted[sorted.length - 1] : null,
  latency_samples: sorted.length,
  join_seconds: joinSeconds,
  send_seconds: sendSeconds,
  driver_cpu_share: (cpu.user + cpu.system) / 1e6 / (sendSeconds + Number(args.drain)),
});
for (const client of all) client.ws.terminate();
process.exit(0);
