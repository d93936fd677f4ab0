// Verifying a `shuangsuiji-draw/1` bundle (docs/draw-spec.md §6): rebuild the pool from its
// members and excluded rows, re-run the draw and every recusal step from the bundle's
// inputs, re-make the bundle and compare it with the one given, field by field in the
// table's key order; the first difference is reported by its path. Then the draw digest.

import { canonicalJson, canonicalText, compareText, hex, sha256, utf8 } from "./canonical.js";
import { has, isObject } from "./json.js";
import { Problem, SCHEMA, field, read } from "./read.js";
import { rebuildPool } from "./pool.js";
import { runDraw } from "./draw.js";
import { applyRecusal } from "./recusal.js";
import { JOINT, readJoint } from "./quotas.js";
import { FORMAT_V2, checkV2, readConflicts, ruleChecks, stepSeed } from "./v2.js";
import { checkPoolText } from "./text.js";

export const FORMAT = "shuangsuiji-draw/1";
export const FORMATS = [FORMAT, FORMAT_V2];
export const KEYS = [
  "format", "task", "sampling", "pool_rules", "pool", "seed", "draw_parameters", "draw_rules",
  "inspectors", "experts_directory", "result", "recusals", "final", "digests",
];
/** v2: v1's keys with the announcement and the seed's inputs before the digests. */
export const KEYS_V2 = [...KEYS.slice(0, -1), "announcement", "seed_inputs", "digests"];
const RECUSAL_V2_KEYS = ["reason", "declared_at", "beacon"];
const ANNOTATIONS = "annotations";
const UNITS = "units"; // optional: the organisation tree (§6.4), checked by ruleChecks

/** Outcome: {ok, summary} or {ok: false, path, key, args, expected, found}. */
const failure = (path, key, args = {}, expected, found) => ({ ok: false, path, key, args, expected, found });

function canonicalPeople(rows, extra) {
  const out = rows.map((p) => ({ ...p, person_id: canonicalText(p.person_id), name: canonicalText(p.name), ...extra(p) }));
  out.sort((a, b) => compareText(a.person_id, b.person_id));
  for (let i = 0; i < out.length; i++) {
    if (!out[i].person_id) throw new Problem("bundle", "kernel.empty_person");
    if (i && out[i].person_id === out[i - 1].person_id) {
      throw new Problem("bundle", "kernel.duplicate_person", { id: out[i].person_id });
    }
  }
  return out;
}

const groupsOf = (groups) => groups.map((g) => ({ number: g.number, members: [...g.members], leader: g.leader, targets: [...g.targets] }));

/** The first difference between the re-made `expected` and the `found` JSON, by path. */
export function firstDifference(expected, found, path) {
  const kind = (v) => (v === null ? "null" : Array.isArray(v) ? "list" : typeof v);
  if (kind(expected) !== kind(found)) return failure(path, "differs", {}, expected, found);
  if (kind(expected) === "list") {
    const n = Math.min(expected.length, found.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(expected[i], found[i], `${path}[${i}]`);
      if (d) return d;
    }
    if (expected.length !== found.length) {
      return failure(`${path}[${n}]`, "list_length", { found: found.length, expected: expected.length },
        expected[n] ?? null, found[n] ?? null);
    }
    return null;
  }
  if (kind(expected) === "object") {
    for (const key of Object.keys(expected)) {
      if (!has(found, key)) return failure(`${path}.${key}`, "missing", {}, expected[key], null);
      const d = firstDifference(expected[key], found[key], `${path}.${key}`);
      if (d) return d;
    }
    for (const key of Object.keys(found)) {
      if (!has(expected, key)) return failure(`${path}.${key}`, "unknown_field", {}, null, found[key]);
    }
    return null;
  }
  return expected === found ? null : failure(path, "differs", {}, expected, found);
}

/** Recompute everything a bundle states; returns the re-made bundle and what the company
 * view and the summary need. Throws Problem. */
export async function recompute(bundle) {
  const v2 = bundle.format === FORMAT_V2;
  const top = (key) => field(bundle, key, "bundle");
  const task = read(SCHEMA.task, top("task"), "bundle.task");
  const sampling = read(SCHEMA.sampling, top("sampling"), "bundle.sampling");
  const rules = read(SCHEMA.pool_rules, top("pool_rules"), "bundle.pool_rules");
  const pool = await rebuildPool(top("pool"), task, sampling, rules);
  const seed = top("seed");
  if (typeof seed !== "string") throw new Problem("bundle.seed", "expected.text", { value: seed });
  const drawRules = read(SCHEMA.draw_rules, top("draw_rules"), "bundle.draw_rules");
  const params = read(SCHEMA.draw_parameters, top("draw_parameters"), "bundle.draw_parameters");
  const inspectors = canonicalPeople(read(SCHEMA.inspectors, top("inspectors"), "bundle.inspectors"), (p) => ({
    department: canonicalText(p.department), division: canonicalText(p.division),
    credentials: p.credentials.map((c) => ({ kind: canonicalText(c.kind), expires: c.expires })),
  }));
  const experts = canonicalPeople(read(SCHEMA.experts_directory, top("experts_directory"), "bundle.experts_directory"), () => ({}));
  const conflicts = new Map();
  if (v2) {
    for (const [p, t] of readConflicts(top("announcement"))) {
      const pair = [canonicalText(p), canonicalText(t)];
      conflicts.set(JSON.stringify(pair), pair);
    }
  }
  const participants = readJoint(bundle, task);
  const { result, side } = await runDraw(pool, seed, { task, sampling, params, rules: drawRules, inspectors, experts, conflicts, participants });
  const state = {
    seed, eligible: result.eligible_inspectors, expertsDirectory: experts, side,
    selected: result.strata.flatMap((s) => s.selected), groups: groupsOf(result.groups),
    experts: [...result.experts], steps: [], conflicts,
  };
  const given = top("recusals");
  const steps = read([SCHEMA.recusal], given, "bundle.recusals");
  for (let i = 0; i < steps.length; i++) {
    if (v2) steps[i].streamSeed = await stepSeed(given[i], seed, `bundle.recusals[${i}]`);
    const out = await applyRecusal(state, steps[i]);
    if (v2) for (const k of RECUSAL_V2_KEYS) out[k] = has(given[i], k) ? given[i][k] : null;
  }
  const annotations = has(bundle, ANNOTATIONS) ? bundle[ANNOTATIONS] : undefined;
  if (annotations !== undefined && annotations !== null && !isObject(annotations)) {
    throw new Problem("bundle.annotations", "expected.object", { value: annotations });
  }
  const remade = {
    format: bundle.format, task, sampling, pool_rules: rules,
    pool: {
      strata: pool.strata.map((s) => ({
        name: s.name, ratio_permille: s.ratio_permille, size: s.size,
        members: s.members.map((m) => [m.code, m.name, m.flags]),
      })),
      excluded: pool.excluded.map((e) => [e.code, e.name, e.rule, e.trigger]),
    },
    seed, draw_parameters: params, draw_rules: drawRules, inspectors,
    experts_directory: experts,
    result: { ...result, groups: groupsOf(result.groups) },
    recusals: state.steps,
    final: { groups: groupsOf(state.groups), experts: state.experts },
  };
  if (v2) {
    remade.announcement = top("announcement");
    remade.seed_inputs = top("seed_inputs");
  }
  if (annotations !== undefined && annotations !== null) remade[ANNOTATIONS] = annotations;
  if (has(bundle, UNITS)) remade[UNITS] = bundle[UNITS];
  if (participants) remade[JOINT] = { participants };
  remade.digests = { pool: pool.digest, draw: await drawDigest(remade, pool.digest) };
  return { remade, pool, result, state };
}

/** SHA-256 of the canonical JSON of the bundle without `pool` and `digests`, plus
 * `pool_digest`. */
export async function drawDigest(bundle, poolDigest) {
  const body = {};
  for (const key of Object.keys(bundle)) if (key !== "pool" && key !== "digests") body[key] = bundle[key];
  body.pool_digest = poolDigest;
  return hex(await sha256(utf8(canonicalJson(body))));
}

/** Verify a parsed bundle; never throws. `text`: the pool text of a /3 file (text.js
 * readBundle), whose lines must be the canonical text of the pool they describe. */
export async function verifyBundle(bundle, text = null) {
  let done;
  try {
    if (!isObject(bundle)) return failure("bundle", "expected.object", { value: bundle });
    if (typeof bundle.format !== "string") return failure("bundle.format", has(bundle, "format") ? "expected.text" : "missing", { value: bundle.format });
    if (!FORMATS.includes(bundle.format)) {
      return failure("format", "unsupported_format", { format: FORMATS.join(", ") }, FORMAT_V2, bundle.format);
    }
    const implied = ruleChecks(bundle);
    if (implied) return failure(implied.path, implied.key, implied.args, implied.expected, implied.found);
    done = await recompute(bundle);
  } catch (e) {
    if (e instanceof Problem) return failure(e.path, e.key, e.args);
    if (e instanceof Error && e.message === "seed.empty") return failure("bundle", "seed.empty");
    throw e;
  }
  const { remade } = done;
  const v2 = bundle.format === FORMAT_V2;
  const keys = v2 ? KEYS_V2 : KEYS;
  for (const key of keys) {
    if (!has(bundle, key)) return failure(key, "missing");
    const d = firstDifference(remade[key], bundle[key], key);
    if (d) return d;
  }
  if (text) {
    const bad = checkPoolText(text, done.pool.digest, done.pool.lines);
    if (bad) return failure(bad.path, bad.key, {}, bad.expected, bad.found);
  }
  if (has(remade, JOINT)) {
    const d = firstDifference(remade[JOINT], bundle[JOINT], JOINT);
    if (d) return d;
  }
  const extra = Object.keys(bundle).filter((k) => !keys.includes(k) && k !== ANNOTATIONS && k !== UNITS && k !== JOINT).sort(compareText);
  if (extra.length) return failure(extra[0], "unknown_field", {}, null, bundle[extra[0]]);
  const found = await drawDigest(bundle, bundle.digests.pool);
  if (found !== bundle.digests.draw) return failure("digests.draw", "draw_digest", {}, found, bundle.digests.draw);
  const { pool, result, state } = done;
  const notes = v2 ? [] : [["note.v1", {}]];
  if (v2) {
    try {
      const bad = await checkV2(bundle, pool, notes);
      if (bad) return failure(bad.path, bad.key, bad.args, bad.expected, bad.found);
    } catch (e) {
      if (e instanceof Problem) return failure(e.path, e.key, e.args);
      throw e;
    }
  }
  return {
    ok: true,
    notes,
    remade,
    cites: pool.cites,
    lines: pool.lines,
    summary: {
      task: remade.task.task_id,
      size: pool.strata.reduce((n, s) => n + s.members.length, 0),
      strata: pool.strata.length,
      excluded: pool.excluded.length,
      selected: state.selected.length,
      groups: result.groups.length,
      experts: result.experts.length,
      recusals: state.steps.length,
      digest: pool.digest,
      draw_digest: bundle.digests.draw,
      format: bundle.format,
    },
  };
}
