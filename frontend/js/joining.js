// @ts-check
// The join (docs/protocol.md, "Joining"), built here for every join the page sends, and encoded
// here for the first: the page sends that one before its msgpack package has loaded (opening.js),
// so this module writes the few msgpack types a join holds itself (a map of strings, integers
// and booleans; tests check it against the package) and imports nothing that imports more.

import { LIMITS } from "./protocol.gen.js";

/** @typedef {{user: string, name: string, color: string, token?: string}} Identity */
/** @typedef {{lastSeq: number, lastOp: string | null}} Held */

/**
 * The join for ``who``, resuming after what the page holds. ``snapshot``: this page can load a
 * big board's snapshot over HTTP; ``point_format``: the points encoding it speaks.
 * @param {Identity} who @param {Held} held @returns {Record<string, string | number | boolean>}
 */
export function joinMessage({ user, name, color, token }, { lastSeq, lastOp }) {
  const join = { type: "join", user, name, color, last_seq: lastSeq, snapshot: true, point_format: LIMITS.POINT_FORMAT };
  return { ...join, ...(lastOp && lastSeq ? { last_op: lastOp } : {}), ...(token ? { token } : {}) };
}

/**
 * A join as one msgpack frame, as ``@msgpack/msgpack``'s ``encode`` writes it.
 * @param {Record<string, string | number | boolean>} join @returns {Uint8Array}
 */
export function encodeJoin(join) {
  /** @type {number[]} */
  const bytes = [];
  const fields = Object.entries(join);
  if (fields.length > 15) throw new RangeError("a join has at most 15 fields");
  bytes.push(0x80 | fields.length); // fixmap
  for (const [key, value] of fields) {
    writeString(bytes, key);
    if (typeof value === "string") writeString(bytes, value);
    else if (typeof value === "boolean") bytes.push(value ? 0xc3 : 0xc2);
    else writeUnsigned(bytes, value);
  }
  return Uint8Array.from(bytes);
}

/** @param {number[]} bytes @param {string} text */
function writeString(bytes, text) {
  const utf8 = new TextEncoder().encode(text);
  const n = utf8.length;
  if (n < 32) bytes.push(0xa0 | n);
  else if (n < 0x100) bytes.push(0xd9, n);
  else if (n < 0x10000) bytes.push(0xda, n >> 8, n & 0xff);
  else bytes.push(0xdb, ...bigEndian(n, 4));
  bytes.push(...utf8);
}

/** @param {number[]} bytes @param {number} value */
function writeUnsigned(bytes, value) {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a sequence number: ${value}`);
  if (value < 0x80) bytes.push(value);
  else if (value < 0x100) bytes.push(0xcc, value);
  else if (value < 0x10000) bytes.push(0xcd, ...bigEndian(value, 2));
  else if (value < 0x100000000) bytes.push(0xce, ...bigEndian(value, 4));
  else bytes.push(0xcf, ...bigEndian(value, 8));
}

/** ``value``'s ``size`` bytes, most significant first. @param {number} value @param {number} size */
function bigEndian(value, size) {
  const out = [];
  for (let i = size - 1; i >= 0; i--) out.push(Math.floor(value / 2 ** (8 * i)) % 256);
  return out;
}
