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
  const fail = (where, key, args = {}) => {
    throw new JsonError(where, key, { ...args, offset: i });
  };
  const skip = () => {
    while (i < text.length && WS.has(text[i])) i++;
  };
  const str = (where) => {
    i++; // opening quote
    let out = "";
    for (;;) {
      if (i >= text.length) fail(where, "json.unterminated");
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
        const e = text[i + 1];
        if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(where, "json.syntax");
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e in ESCAPES) {
          out += ESCAPES[e];
          i += 2;
        } else fail(where, "json.syntax");
      } else if (c < " ") {
        fail(where, "json.syntax");
      } else {
        out += c;
        i++;
      }
    }
  };
  const num = (where) => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) fail(where, "json.syntax");
    i += m[0].length;
    if (m[2] !== undefined || m[3] !== undefined) fail(where, "json.not_integer", { value: m[0] });
    const v = Number(m[0]);
    if (!Number.isSafeInteger(v)) fail(where, "json.too_large", { value: m[0] });
    return v;
  };
  const value = (where) => {
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
        if (text[i] !== '"') fail(where, "json.syntax");
        const key = str(where);
        const at = where ? `${where}.${key}` : key;
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(at, "json.duplicate_key", { key });
        skip();
        if (text[i] !== ":") fail(at, "json.syntax");
        i++;
        obj[key] = value(at);
        skip();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail(at, "json.syntax");
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
        arr.push(value(`${where}[${arr.length}]`));
        skip();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail(`${where}[${arr.length - 1}]`, "json.syntax");
      }
    }
    if (c === '"') return str(where);
    if (c === "-" || (c >= "0" && c <= "9")) return num(where);
    for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(where, "json.syntax");
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1; // a byte-order mark, as editors on Windows write
  const out = value("");
  skip();
  if (i < text.length) fail("", "json.trailing");
  return out;
}

/** Is `v` a JSON object (as parsed here or by JSON.parse)? */
export function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Own keys of a parsed object. */
export const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
