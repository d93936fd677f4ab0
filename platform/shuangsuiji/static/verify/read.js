// Reading a bundle's inputs by the field table of docs/draw-spec.md §6.
//
// A schema names each field's type; read() checks a value against it and returns a fresh
// copy with the fields in the schema's order (what a re-made bundle holds). Missing and
// mistyped fields throw a Problem naming the path. Keys the schema does not know are left
// out of the copy, so the comparison with the bundle names them afterwards.

import { isObject, has } from "./json.js";
import { compareText } from "./canonical.js";

export class Problem extends Error {
  /** `key` is a message id of messages.js, `args` its values. */
  constructor(path, key, args = {}) {
    super(`${path}: ${key}`);
    this.path = path;
    this.key = key;
    this.args = args;
  }
}

const CITE = { pack: "text", version: "text", article: "text" };
export const SCHEMA = {
  task: {
    task_id: "text", item_codes: ["text"], start_date: "date", department: "text",
    division: "text", special: "bool", joint: "bool",
  },
  sampling: { ratio_permille: "int", min_count: "int", max_count: "?int" },
  pool_rules: {
    exclusion_policy: {
      once_per_year: "bool", same_quarter_other_divisions: "bool",
      exempt_risk_flags: "textset", cite: CITE,
    },
    extra_exclusions: [{ code: "text", kind: "text", params: ["param"], cite: CITE }],
    risk_rules: [{ flag: "text", ratio_permille: "int", multiplier: "int", cite: CITE }],
  },
  draw_parameters: {
    scope: "text", group_count: "?int", targets_per_group: "?int", group_size: "?int",
    experts_count: "int", batch_count: "?int", inspection_date: "?date",
  },
  draw_rules: {
    item_category: {
      code: "text", name_zh: "text", name_en: "text", cap_permille: "?int",
      cap_required: "bool", batch_order: "bool", batch_order_min_permille: "int", cite: CITE,
    },
    group_rule: { min_size: "int", leader: "bool", scopes: ["text"], cite: CITE },
    eligibility: { credentials: ["text"], valid_on_date: "bool", cite: CITE },
  },
  inspectors: [{
    person_id: "text", name: "text", department: "text", division: "text",
    subordinate: "bool", credentials: [{ kind: "text", expires: "?date" }],
  }],
  experts_directory: [{ person_id: "text", name: "text" }],
  recusal: {
    step: "int", person_id: "text", target_id: "text", mode: "text",
    rule: { modes: ["text"], cite: CITE }, conflicts: ["pair"],
  },
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDate(v) {
  const m = typeof v === "string" && DATE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3]
    && +m[1] >= 1;
}

const isInt = (v) => typeof v === "number" && Number.isSafeInteger(v);

function scalar(type, v, path) {
  const optional = type.startsWith("?");
  const t = optional ? type.slice(1) : type;
  if (optional && v === null) return null;
  const ok = { text: typeof v === "string", int: isInt(v), bool: typeof v === "boolean",
    date: isDate(v) }[t];
  if (!ok) throw new Problem(path, `expected.${t}`, { value: v });
  return v;
}

/** Check `v` against `schema` at `path`; return its plain copy. */
export function read(schema, v, path) {
  if (typeof schema === "string") {
    if (schema === "textset") {
      const items = read(["text"], v, path);
      return [...new Set(items)].sort(compareText);
    }
    if (schema === "param") {
      const ok = Array.isArray(v) && v.length === 2 && typeof v[0] === "string"
        && (typeof v[1] === "string" || isInt(v[1]));
      if (!ok) throw new Problem(path, "expected.param", { value: v });
      return [v[0], v[1]];
    }
    if (schema === "pair") {
      const ok = Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "string");
      if (!ok) throw new Problem(path, "expected.pair");
      return [v[0], v[1]];
    }
    return scalar(schema, v, path);
  }
  if (Array.isArray(schema)) {
    if (!Array.isArray(v)) throw new Problem(path, "expected.list", { value: v });
    return v.map((x, i) => read(schema[0], x, `${path}[${i}]`));
  }
  if (!isObject(v)) throw new Problem(path, "expected.object", { value: v });
  const out = {};
  for (const [key, sub] of Object.entries(schema)) {
    if (!has(v, key)) throw new Problem(`${path}.${key}`, "missing");
    out[key] = read(sub, v[key], `${path}.${key}`);
  }
  return out;
}

/** Field `key` of object `obj` at `path`, which must be present. */
export function field(obj, key, path) {
  if (!isObject(obj)) throw new Problem(path, "expected.object", { value: obj });
  if (!has(obj, key)) throw new Problem(`${path}.${key}`, "missing");
  return obj[key];
}
