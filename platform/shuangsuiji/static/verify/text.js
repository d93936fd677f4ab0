// The bundle as a text file, `shuangsuiji-draw/3` (docs/draw-spec.md §16; the reference is
// kernel/bundletext.py). Three parts, each ending in LF:
//
//   shuangsuiji-draw/3
//   <the bundle without its pool: one line of JSON>
//   <the pool's lines of §3.3, verbatim: the very bytes whose SHA-256 is the pool digest>
//
// It is another spelling of a /1 or /2 bundle, not a new one: the lines are read into the
// pool object they describe and the bundle so assembled is verified as any other. The
// verifier then also asks that the lines as found be the canonical text of the pool it
// rebuilt (checkPoolText), naming the first line that differs.

import { hex, sha256, utf8 } from "./canonical.js";
import { JsonError, has, isObject, parseStrict } from "./json.js";
import { POOL_FORMAT } from "./pool.js";
import { Problem } from "./read.js";

export const TEXT_FORMAT = "shuangsuiji-draw/3";
const MAGIC = utf8(`${TEXT_FORMAT}\n`);
const LF = 0x0a;
const STRATUM = "stratum\t";
// a line's own bytes, as Python's bytes.decode("utf-8"): refused when not UTF-8, a BOM kept
const STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const LENIENT = new TextDecoder("utf-8", { ignoreBOM: true });
// a JSON file as the page has always read it (File.text(): a BOM dropped, bad bytes replaced)
const AS_FILE = new TextDecoder("utf-8");

/** The path naming line `n` (1 = the pool's first line, `shuangsuiji-pool/1`). */
const linePath = (n) => `pool line ${n}`;

/** Does `data` (a string or bytes) start with the line `shuangsuiji-draw/3`? */
export function isTextFile(data) {
  if (typeof data === "string") return data.startsWith(`${TEXT_FORMAT}\n`);
  return data.length >= MAGIC.length && MAGIC.every((b, i) => data[i] === b);
}

/**
 * The bundle in a file (a string, or its bytes as read: ArrayBuffer or Uint8Array), either
 * form: {bundle, text} where `text` is null for JSON and, for a /3 file, what
 * checkPoolText needs: {digest: SHA-256 of the pool's lines as found, lines, bad}. Throws
 * JsonError or Problem (by path).
 */
export async function readBundle(data) {
  const bytes = typeof data === "string" ? null : new Uint8Array(data);
  if (!isTextFile(bytes ?? data)) {
    return { bundle: parseStrict(bytes ? AS_FILE.decode(bytes) : data), text: null };
  }
  return readText(bytes ?? utf8(data));
}

/** The JSON line's refusal named as Python names it: syntax at `bundle`, the strict rules
 * (a key twice, a fraction, an unsafe integer) at the value's path under `bundle`. */
function headError(e) {
  if (["json.duplicate_key", "json.not_integer", "json.too_large"].includes(e.problem)) {
    const where = !e.path ? "bundle" : e.path.startsWith("[") ? `bundle${e.path}` : `bundle.${e.path}`;
    return new JsonError(where, e.problem, e.args);
  }
  return new JsonError("bundle", e.problem, e.args);
}

/** A /3 file's bundle (its `pool` made of the lines) and its pool text, from the bytes. */
async function readText(bytes) {
  const start = MAGIC.length;
  const end = bytes.indexOf(LF, start);
  if (end < 0) throw new Problem("bundle", "text.cut");
  let headText;
  try {
    headText = STRICT.decode(bytes.subarray(start, end));
  } catch {
    throw new Problem("bundle", "text.not_utf8");
  }
  // parseStrict forgives a byte-order mark at its text's start; here it is not the file's
  if (headText.charCodeAt(0) === 0xfeff) throw new JsonError("bundle", "json.syntax", { offset: 0 });
  let head;
  try {
    head = parseStrict(headText);
  } catch (e) {
    if (e instanceof JsonError) throw headError(e);
    throw e;
  }
  if (!isObject(head)) throw new Problem("bundle", "expected.object", { value: head });
  if (has(head, "pool")) throw new Problem("bundle.pool", "text.pool_field");
  const rest = bytes.subarray(end + 1);
  const digest = hex(await sha256(rest));
  if (!rest.length || rest[rest.length - 1] !== LF) {
    let n = 1;
    for (const b of rest) if (b === LF) n++;
    throw new Problem(linePath(n), "text.no_final_lf");
  }
  const { lines, bad } = splitLines(rest);
  head.pool = poolObject(lines, bad);
  return { bundle: head, text: { digest, lines, bad } };
}

/** The lines of `text` (bytes ending in LF), each without its LF; `bad`: the indexes of
 * those that are not UTF-8 (kept decoded with U+FFFD, never equal to a canonical line). */
function splitLines(text) {
  const bad = new Set();
  let lines;
  try {
    lines = STRICT.decode(text).split("\n");
  } catch {
    lines = [];
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] !== LF) continue;
      const part = text.subarray(from, i);
      try {
        lines.push(STRICT.decode(part));
      } catch {
        bad.add(lines.length);
        lines.push(LENIENT.decode(part));
      }
      from = i + 1;
    }
    lines.push("");
  }
  lines.pop(); // (after the last LF)
  return { lines, bad };
}

/** Line `i` (0-based) of the pool as text, refused (at its 1-based number) when not UTF-8. */
function decoded(lines, bad, i) {
  if (bad.has(i)) throw new Problem(linePath(i + 1), "text.not_utf8");
  return lines[i];
}

const DIGITS = /^[0-9]+$/;

/**
 * The pool object (§6) the pool's lines describe: {strata: [{name, ratio_permille, size,
 * members: [[code, name, [flags]]]}], excluded: [[code, name, rule, trigger|null]]}. The
 * header line and an excluded line's article are not read: the canonical text rebuilt from
 * the bundle must be the lines as found (checkPoolText). Lines not of the form are refused
 * by number, in the order kernel/bundletext.py's pool_object (and excludedtext.py) finds
 * them.
 */
export function poolObject(lines, bad = new Set()) {
  if (!lines.length || bad.has(0) || lines[0] !== POOL_FORMAT) {
    throw new Problem(linePath(1), "text.pool_format", { format: POOL_FORMAT });
  }
  if (lines.length < 2) throw new Problem(linePath(2), "text.no_header");
  const strata = [];
  const end = lines.length;
  let i = 2;
  while (i < end && lines[i].startsWith(STRATUM)) {
    const fields = decoded(lines, bad, i).split("\t");
    if (fields.length !== 5 || !fields.slice(2).every((f) => DIGITS.test(f))) {
      throw new Problem(linePath(i + 1), "text.stratum_line");
    }
    const [, name, ratio, size, count] = fields;
    const found = Math.min(Number(count), end - i - 1);
    if (found !== Number(count)) {
      throw new Problem(linePath(end + 1), "text.stratum_short", { name, count, found: String(found) });
    }
    const members = [];
    for (let j = i + 1; j <= i + found; j++) {
      const parts = decoded(lines, bad, j).split("\t");
      if (parts.length !== 4 || parts[0] !== "member") throw new Problem(linePath(j + 1), "text.member_line");
      members.push([parts[1], parts[2], parts[3] ? parts[3].split(",") : []]);
    }
    strata.push({ name, ratio_permille: Number(ratio), size: Number(size), members });
    i += 1 + found;
  }
  const excluded = [];
  for (; i < end; i++) {
    const fields = decoded(lines, bad, i).split("\t");
    if (fields[0] !== "excluded") throw new Problem(linePath(i + 1), "text.unexpected_line");
    if (fields.length !== 6) throw new Problem(linePath(i + 1), "text.excluded_line");
    const [, code, name, rule, , trigger] = fields; // the article: the rule's, rehashed
    excluded.push([code, name, rule, trigger || null]);
  }
  return { strata, excluded };
}

/**
 * A /3 file's pool text against the canonical lines of the pool rebuilt from it (`expected`,
 * each without its LF): null when they hash alike, else the refusal at the first line that
 * differs, {path, key, expected, found} (a line missing on one side is null there).
 */
export function checkPoolText(text, digest, expected) {
  if (text.digest === digest) return null;
  const found = text.lines;
  let n = 0;
  for (; n < expected.length; n++) {
    if (n >= found.length) return refusal(n, expected[n], null);
    if (text.bad.has(n) || found[n] !== expected[n]) return refusal(n, expected[n], found[n]);
  }
  return refusal(n, null, n < found.length ? found[n] : null);
}

const refusal = (n, expected, found) => ({ path: linePath(n + 1), key: "text.not_canonical", expected, found });
