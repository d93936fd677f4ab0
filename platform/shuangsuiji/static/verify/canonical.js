// Canonical text, canonical order and canonical JSON (docs/draw-spec.md §1).

// White space removed from both ends: the Unicode White_Space characters and U+001C–U+001F
// (what Python's str.isspace() accepts). JavaScript's trim() differs (it removes U+FEFF and
// keeps U+001C–U+001F and U+0085), so the set is spelt out.
const SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
  0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** NFC, then white space removed from both ends. */
export function canonicalText(s) {
  const t = s.normalize("NFC");
  let a = 0;
  let b = t.length;
  while (a < b && SPACE.has(t.charCodeAt(a))) a++;
  while (b > a && SPACE.has(t.charCodeAt(b - 1))) b--;
  return t.slice(a, b);
}

/** Order of the UTF-8 bytes (= code-point order; JavaScript's `<` is UTF-16 order). */
export function compareText(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++; // both are the same astral character: skip its low surrogate
  }
  return a.length - b.length;
}

/** Sorted copy of `items` by `key(item)` in canonical order. */
export function sortedBy(items, key) {
  return items
    .map((item) => [key(item), item])
    .sort((p, q) => compareText(p[0], q[0]))
    .map((p) => p[1]);
}

function quote(s) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (c === 8) out += "\\b";
    else if (c === 9) out += "\\t";
    else if (c === 10) out += "\\n";
    else if (c === 12) out += "\\f";
    else if (c === 13) out += "\\r";
    else if (c < 0x20) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

/** Canonical JSON of `v` as a string (encode with TextEncoder for its bytes). Keys sorted by
 * code point; integers only. */
export function canonicalJson(v) {
  if (v === null) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "string") return quote(v);
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Error(`not an integer: ${v}`);
    return String(v);
  }
  if (Array.isArray(v)) return "[" + v.map(canonicalJson).join(",") + "]";
  const keys = Object.keys(v).sort(compareText);
  return "{" + keys.map((k) => quote(k) + ":" + canonicalJson(v[k])).join(",") + "}";
}

const ENCODER = new TextEncoder();

/** UTF-8 bytes of `s`. */
export const utf8 = (s) => ENCODER.encode(s);

/** Lower-case hex of bytes. */
export function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes of lower- or upper-case hex (null when it is not hex). */
export function unhex(text) {
  if (typeof text !== "string" || text.length % 2 || /[^0-9a-fA-F]/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** SHA-256 of bytes or a string (UTF-8), as bytes. */
export async function sha256(data) {
  const bytes = typeof data === "string" ? utf8(data) : data;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}
