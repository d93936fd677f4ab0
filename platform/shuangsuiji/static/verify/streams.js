// Random streams, below(n) and sample(n, k) (docs/draw-spec.md §2).
//
//   block(seed, label, c) = HMAC-SHA256(key = UTF-8(seed), UTF-8(label) || uint64_be(c))
//
// Each block gives four big-endian 64-bit words (BigInt). Blocks are computed by WebCrypto
// in batches, ahead of need; the words are handed out strictly in order.

import { utf8 } from "./canonical.js";

const TWO_64 = 1n << 64n;
const BATCH = 32; // blocks signed together (128 words)

export class Stream {
  constructor(key, label) {
    this.key = key;
    this.label = utf8(label);
    this.counter = 0;
    this.words = [];
    this.next = 0;
  }

  /** A stream of `seed` (a string, used verbatim) named `label`. */
  static async open(seed, label) {
    if (typeof seed !== "string" || seed === "") throw new Error("seed.empty");
    const key = await crypto.subtle.importKey(
      "raw", utf8(seed), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Stream(key, label);
  }

  async refill() {
    const jobs = [];
    for (let b = 0; b < BATCH; b++) {
      const message = new Uint8Array(this.label.length + 8);
      message.set(this.label);
      new DataView(message.buffer).setBigUint64(this.label.length, BigInt(this.counter + b));
      jobs.push(crypto.subtle.sign("HMAC", this.key, message));
    }
    this.counter += BATCH;
    const blocks = await Promise.all(jobs);
    this.words = [];
    this.next = 0;
    for (const block of blocks) {
      const view = new DataView(block);
      for (let w = 0; w < 4; w++) this.words.push(view.getBigUint64(8 * w));
    }
  }

  /** The next 64-bit word (a BigInt). */
  async word() {
    if (this.next >= this.words.length) await this.refill();
    return this.words[this.next++];
  }

  /** A uniform integer in [0, n) by rejection (n ≥ 1, a Number); one word at least. */
  async below(n) {
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`below(${n})`);
    const big = BigInt(n);
    const limit = TWO_64 - (TWO_64 % big);
    for (;;) {
      const w = await this.word();
      if (w < limit) return Number(w % big);
    }
  }
}

/** Choose k of the positions 0..n-1 by a partial Fisher–Yates shuffle; drawn order. */
export async function sample(stream, n, k) {
  if (!(k >= 0 && k <= n)) throw new Error(`sample(${n}, ${k})`);
  const moved = new Map(); // positions of the virtual array that differ from the identity
  const out = [];
  for (let i = 0; i < k; i++) {
    const j = i + (await stream.below(n - i));
    const atJ = moved.has(j) ? moved.get(j) : j;
    const atI = moved.has(i) ? moved.get(i) : i;
    moved.set(j, atI);
    moved.set(i, atJ);
    out.push(atJ);
  }
  return out;
}

/** A uniformly random order of 0..n-1. */
export const permutation = (stream, n) => sample(stream, n, n);
