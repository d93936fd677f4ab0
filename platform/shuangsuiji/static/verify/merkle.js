// Merkle trees of RFC 6962 / RFC 9162 §2.1 (SHA-256 with leaf/node domain separation):
// leaf and node hashes, the tree head, and the checks of inclusion (§2.1.3.2) and
// consistency (§2.1.4.2) proofs.

import { sha256 } from "./canonical.js";

const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

export const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** SHA-256(0x00 || data). */
export const leafHash = (data) => sha256(concat(Uint8Array.of(0), data));

/** SHA-256(0x01 || left || right). */
export const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

/** The tree head (MTH) over leaf hashes. */
export async function root(leaves) {
  if (!leaves.length) return sha256(new Uint8Array(0));
  let level = leaves;
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(await nodeHash(level[i], level[i + 1]));
    if (level.length % 2) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

// Sizes and indexes are BigInt-safe as Numbers up to 2^53; shifts are done by division.
const half = (n) => Math.floor(n / 2);
const odd = (n) => n % 2 === 1;

/** Does `proof` (hashes) show leaf hash `leaf` at `index` of a tree of `size` with `expected`? */
export async function verifyInclusion(index, size, leaf, proof, expected) {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      if (!odd(fn)) {
        while (fn !== 0 && !odd(fn)) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(r, expected);
}

/** Does `proof` show the tree of `oldSize` with `oldRoot` is a prefix of the tree of
 * `newSize` with `newRoot`? */
export async function verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof) {
  if (oldSize < 1 || oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && equalBytes(oldRoot, newRoot);
  const path = [...proof];
  if (Number.isInteger(Math.log2(oldSize))) path.unshift(oldRoot); // a power of two
  if (!path.length) return false;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (!odd(fn)) {
        while (fn !== 0 && !odd(fn)) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, oldRoot) && equalBytes(sr, newRoot);
}

/** PATH(m, D[n]) of RFC 6962 §2.1.1 for leaf `index` among `leaves` (hashes): O(n). */
export async function inclusionProof(leaves, index) {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  if (index < k) return [...(await inclusionProof(leaves.slice(0, k), index)), await root(leaves.slice(k))];
  return [...(await inclusionProof(leaves.slice(k), index - k)), await root(leaves.slice(0, k))];
}
