// The drand beacon (docs/draw-spec.md §11.2): League of Entropy's quicknet only (a bundle
// cannot bring its own key). A round's signature is a BLS signature on G1 of
// SHA-256(uint64_be(round)), checked against the chain's public key on G2 with
// @noble/curves (vendored, loaded only when a bundle names a beacon); its randomness is
// SHA-256 of the signature.

import { hex, sha256, unhex } from "./canonical.js";

export const QUICKNET = {
  chain_hash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
  public_key: "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
  genesis_time: 1692803367,
  period: 3,
  scheme: "bls-unchained-g1-rfc9380",
};
export const CHAIN_KEYS = ["chain_hash", "public_key", "genesis_time", "period", "scheme"];
const DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";

/** UNIX time at which `round` is produced (round ≥ 1). */
export const roundTime = (chain, round) => chain.genesis_time + (round - 1) * chain.period;

/** The round's randomness: SHA-256 (hex) of the signature's bytes (null if not hex). */
export async function randomnessOf(signatureHex) {
  const bytes = unhex(signatureHex);
  return bytes ? hex(await sha256(bytes)) : null;
}

/** The message signed for `round`: SHA-256 of its 8 big-endian bytes. */
export async function roundMessage(round) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(round));
  return sha256(b);
}

let noble = null;

/** Does `signatureHex` verify for `round` under `chain`'s public key? */
export async function checkSignature(chain, round, signatureHex) {
  noble ??= (await import("./vendor/noble-bls12-381.js")).bls12_381;
  const short = noble.shortSignatures;
  try {
    const signature = short.Signature.fromHex(signatureHex);
    const key = noble.G2.Point.fromHex(chain.public_key);
    return short.verify(signature, short.hash(await roundMessage(round), DST), key);
  } catch {
    return false; // not a point on the curve, or not 48 bytes
  }
}
