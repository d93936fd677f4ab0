// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures, and the
// checkpoint body of C2SP tlog-checkpoint: origin, tree size, root hash, extension lines.

import { sha256, utf8 } from "./canonical.js";
import { equalBytes } from "./merkle.js";

const ED25519 = 0x01;
const DASH = "\u2014 ";

export class NoteError extends Error {
  constructor(key, args = {}) {
    super(key);
    this.key = key;
    this.args = args;
  }
}

export function fromBase64(text) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) return null;
  const bin = atob(text);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));

/** The 4-byte key id of a note key: SHA-256(name || 0x0A || type || key)[0:4]. */
export async function keyId(name, type, key) {
  const n = utf8(name);
  const data = new Uint8Array(n.length + 2 + key.length);
  data.set(n);
  data[n.length] = 0x0a;
  data[n.length + 1] = type;
  data.set(key, n.length + 2);
  return (await sha256(data)).slice(0, 4);
}

/** Parse a verifier key `name+hex id+base64(0x01 || 32-byte key)`. */
export async function parseVerifierKey(text) {
  // the name holds no "+", the base64 key may
  const parts = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(text.trim())?.slice(1);
  if (!parts) throw new NoteError("note.bad_key");
  const raw = fromBase64(parts[2]);
  if (!raw || raw.length !== 33 || raw[0] !== ED25519) throw new NoteError("note.bad_key");
  const key = raw.slice(1);
  const id = await keyId(parts[0], ED25519, key);
  const hexId = Array.from(id, (b) => b.toString(16).padStart(2, "0")).join("");
  if (hexId !== parts[1]) throw new NoteError("note.key_id_mismatch");
  return { name: parts[0], id, key };
}

/** Split a note into its signed text and its signature lines. */
export function splitNote(text) {
  const at = text.lastIndexOf("\n\n");
  if (at < 0 || !text.endsWith("\n")) throw new NoteError("note.malformed");
  const body = text.slice(0, at + 1);
  const sigs = text.slice(at + 2, -1).split("\n").map((line) => {
    if (!line.startsWith(DASH)) throw new NoteError("note.malformed");
    const rest = line.slice(DASH.length);
    const space = rest.lastIndexOf(" ");
    const raw = space > 0 ? fromBase64(rest.slice(space + 1)) : null;
    if (!raw || raw.length < 5) throw new NoteError("note.malformed");
    return { name: rest.slice(0, space), id: raw.slice(0, 4), signature: raw.slice(4) };
  });
  if (!sigs.length) throw new NoteError("note.unsigned");
  return { body, signatures: sigs };
}

/** Verify `text` against verifier key `key` (parsed); returns the signed body or throws. */
export async function verifyNote(text, key) {
  const { body, signatures } = splitNote(text);
  const mine = signatures.filter((s) => s.name === key.name && equalBytes(s.id, key.id));
  if (!mine.length) throw new NoteError("note.no_signature", { name: key.name });
  const pub = await crypto.subtle.importKey("raw", key.key, { name: "Ed25519" }, false, ["verify"]);
  for (const s of mine) {
    if (s.signature.length === 64
        && await crypto.subtle.verify({ name: "Ed25519" }, pub, s.signature, utf8(body))) {
      return body;
    }
  }
  throw new NoteError("note.bad_signature", { name: key.name });
}

/** The checkpoint in a note's signed body: {origin, size, root (bytes), extensions}. */
export function parseCheckpoint(body) {
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3 || !lines[0]) throw new NoteError("checkpoint.malformed");
  if (!/^(0|[1-9][0-9]*)$/.test(lines[1]) || !Number.isSafeInteger(Number(lines[1]))) {
    throw new NoteError("checkpoint.malformed");
  }
  const rootHash = fromBase64(lines[2]);
  if (!rootHash || rootHash.length !== 32) throw new NoteError("checkpoint.malformed");
  return { origin: lines[0], size: Number(lines[1]), root: rootHash, extensions: lines.slice(3) };
}

/** Verify a signed checkpoint note with the log's verifier key text. */
export async function verifyCheckpoint(text, keyText) {
  const key = await parseVerifierKey(keyText);
  const body = await verifyNote(text, key);
  return { ...parseCheckpoint(body), key: key.name };
}
