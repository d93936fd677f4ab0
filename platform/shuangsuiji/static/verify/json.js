// Strict JSON reading for draw bundles (docs/draw-spec.md §1, §6).
//
// JSON.parse lets the last of two equal keys win and turns 1.5 or 1e400 into numbers, so a
// person reading a bundle and a verifier could see different values. This parser refuses
// duplicate keys and any number that is not an exact integer, and names where it found
// them. Objects are made without a prototype, so a key such as "__proto__" is plain data.

export class JsonError extends Error {
  constructor(where, problem, args = {}) {
    super(problem);
    this.path = where;
    this.problem = problem;
    this.args = args;
  }
}

const WS = new Set([" ", "\t", "\n", "\r"]);
const ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** Parse `text`; throws JsonError (path like `task.item_codes[2]`, message key, args). */
export function parseStrict(text) {
  let i = 0;
  const at = []; // the path to the value being read, as keys and indexes (made a string on failure)
  const path = () => at.map((p, k) => (typeof p === "number" ? `[${p}]` : k ? `.${p}` : p)).join("");
  const fail = (key, args = {}) => {
    throw new JsonError(path(), key, { ...args, offset: i });
  };
  const PLAIN = /[^"\\\u0000-\u001f]*/y; // a run of characters that stand for themselves
  const NUMBER = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
  const skip = () => {
    while (i < text.length && WS.has(text[i])) i++;
  };
  const str = () => {
    i++; // opening quote
    let out = "";
    for (;;) {
      PLAIN.lastIndex = i;
      PLAIN.exec(text);
      if (PLAIN.lastIndex > i) {
        out += text.slice(i, PLAIN.lastIndex);
        i = PLAIN.lastIndex;
      }
      if (i >= text.length) fail("json.unterminated");
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c !== "\\") fail("json.syntax"); // a control character
      const e = text[i + 1];
      if (e === "u") {
        const code = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(code)) fail("json.syntax");
        out += String.fromCharCode(parseInt(code, 16));
        i += 6;
      } else if (e in ESCAPES) {
        out += ESCAPES[e];
        i += 2;
      } else fail("json.syntax");
    }
  };
  const num = () => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) fail("json.syntax");
    i += m[0].length;
    if (m[2] !== undefined || m[3] !== undefined) fail("json.not_integer", { value: m[0] });
    const v = Number(m[0]);
    if (!Number.isSafeInteger(v)) fail("json.too_large", { value: m[0] });
    return v;
  };
  const value = () => {
    skip();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj = Object.create(null);
      skip();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail("json.syntax");
        const key = str();
        at.push(key);
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail("json.duplicate_key", { key });
        skip();
        if (text[i] !== ":") fail("json.syntax");
        i++;
        obj[key] = value();
        skip();
        at.pop();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        at.push(key);
        fail("json.syntax");
      }
    }
    if (c === "[") {
      i++;
      const arr = [];
      skip();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        at.push(arr.length);
        arr.push(value());
        skip();
        at.pop();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        at.push(arr.length - 1);
        fail("json.syntax");
      }
    }
    if (c === '"') return str();
    if (c === "-" || (c >= "0" && c <= "9")) return num();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail("json.syntax");
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1; // a byte-order mark, as editors on Windows write
  const out = value();
  skip();
  if (i < text.length) fail("json.trailing");
  return out;
}

/** Is `v` a JSON object (as parsed here or by JSON.parse)? */
export function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Own keys of a parsed object. */
export const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
