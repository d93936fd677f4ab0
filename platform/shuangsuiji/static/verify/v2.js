// What `shuangsuiji-draw/2` adds (docs/draw-spec.md §10–§13): the rules a bundle implies
// (every format), and for v2 the announcement, the seed's procedure and inputs, and the
// fresh beacon round of every recusal step. Each check returns null or the first problem
// as {path, key, args, expected, found}.

import { canonicalJson, compareText, hex, sha256, utf8 } from "./canonical.js";
import { has, isObject } from "./json.js";
import { Problem } from "./read.js";
import { leafHash, root } from "./merkle.js";
import { CHAIN_KEYS, QUICKNET, checkSignature, randomnessOf, roundTime } from "./beacon.js";
import { unitsCheck } from "./units.js";

export const FORMAT_V2 = "shuangsuiji-draw/2";
export const ANNOUNCEMENT_FORMAT = "shuangsuiji-announcement/1";
export const ANNOUNCEMENT_KEYS = [
  "format", "task", "sampling", "pool", "inspectors_digest", "experts_digest",
  "draw_parameters", "rules", "seed_procedure", "conflicts", "announced_at", "replaces",
];
// A joint task's announcement (§10): /1 with the participants as `joint` after the parameters.
export const JOINT_ANNOUNCEMENT_FORMAT = "shuangsuiji-announcement/2";
export const JOINT_ANNOUNCEMENT_KEYS = [
  ...ANNOUNCEMENT_KEYS.slice(0, 7), "joint", ...ANNOUNCEMENT_KEYS.slice(7),
];
// What the platform announces in now (§10, §10.2): the pool's Merkle leaves are blocks of
// `pool.block_lines` = 256 lines; `joint` is there exactly when the task is joint.
export const BLOCK_ANNOUNCEMENT_FORMAT = "shuangsuiji-announcement/3";
export const BLOCK_LINES = 256;
const ANNOUNCEMENT_FORMATS = [ANNOUNCEMENT_FORMAT, JOINT_ANNOUNCEMENT_FORMAT, BLOCK_ANNOUNCEMENT_FORMAT];
const LINE_POOL_KEYS = ["digest", "merkle_root", "lines", "size", "excluded"];
const BLOCK_POOL_KEYS = ["digest", "merkle_root", "block_lines", "lines", "size", "excluded"];

/** The keys an announcement of its format has (undefined: not a format this verifier reads). */
function announcementKeys(a) {
  if (a.format === BLOCK_ANNOUNCEMENT_FORMAT) return has(a, "joint") ? JOINT_ANNOUNCEMENT_KEYS : ANNOUNCEMENT_KEYS;
  return { [ANNOUNCEMENT_FORMAT]: ANNOUNCEMENT_KEYS, [JOINT_ANNOUNCEMENT_FORMAT]: JOINT_ANNOUNCEMENT_KEYS }[a.format];
}

/** §10.2 /3: the pool's lines (each without its LF) as blocks of 256 lines, each line with its LF. */
export function poolBlocks(poolLines) {
  const out = [];
  for (let i = 0; i < poolLines.length; i += BLOCK_LINES) {
    out.push(utf8(poolLines.slice(i, i + BLOCK_LINES).map((x) => `${x}\n`).join("")));
  }
  return out;
}
export const PROCEDURES = ["commit_reveal+beacon", "beacon", "commit_reveal", "ceremony", "generated"];
const WEAKER = ["ceremony", "generated"];
const CHAINS = new Map([[QUICKNET.chain_hash, QUICKNET]]);

const problem = (path, key, args = {}, expected, found) => ({ path, key, args, expected, found });
const sortedUnique = (values) => values.every((v, i) => i === 0 || compareText(values[i - 1], v) < 0);
export const sha256Json = async (v) => hex(await sha256(utf8(canonicalJson(v))));

/** §13.3 step 1, every format: what the bundle's own rules imply. */
export function ruleChecks(b) {
  const { task, pool, pool_rules: rules } = b;
  if (!isObject(task) || !isObject(pool) || !isObject(rules)) return null;
  const codes = task.item_codes;
  if (Array.isArray(codes) && codes.every((c) => typeof c === "string") && !sortedUnique(codes)) {
    return problem("task.item_codes", "rules.item_codes", {}, [...new Set(codes)].sort(compareText), codes);
  }
  const excluded = pool.excluded;
  if (!Array.isArray(excluded)) return null;
  if (task.special === true && excluded.length) return problem("pool.excluded", "rules.special", { n: excluded.length });
  const policy = rules.exclusion_policy;
  const extra = rules.extra_exclusions;
  if (!isObject(policy) || !Array.isArray(extra)) return null;
  const coded = extra.filter((r) => isObject(r) && typeof r.code === "string");
  const enabled = new Set(coded.map((r) => r.code));
  // §3.1: the built-in rules and recently_inspected name a trigger, a flag rule never does
  const triggered = new Set(["once_per_year", "same_quarter_other_divisions",
    ...coded.filter((r) => r.kind === "recently_inspected").map((r) => r.code)]);
  const untriggered = new Set(coded.filter((r) => r.kind === "flag" && !triggered.has(r.code)).map((r) => r.code));
  if (policy.once_per_year === true) enabled.add("once_per_year");
  if (policy.same_quarter_other_divisions === true && task.joint !== true) enabled.add("same_quarter_other_divisions");
  for (let i = 0; i < excluded.length; i++) {
    const row = excluded[i];
    if (!Array.isArray(row) || row.length !== 4) return null;
    if (!enabled.has(row[2])) return problem(`pool.excluded[${i}][2]`, "rules.not_enabled", { code: row[2] });
    if (row[3] === "") return problem(`pool.excluded[${i}][3]`, "kernel.empty_trigger");
    if (triggered.has(row[2]) && !row[3]) {
      return problem(`pool.excluded[${i}][3]`, "rules.no_trigger", { code: row[2] });
    }
    if (untriggered.has(row[2]) && row[3] !== null) {
      return problem(`pool.excluded[${i}][3]`, "rules.flag_trigger", { code: row[2] });
    }
  }
  const units = unitsCheck(b);
  if (units) return units;
  const category = isObject(b.draw_rules) ? b.draw_rules.item_category : null;
  if (task.special === true || !isObject(b.sampling) || !isObject(category)) return null;
  const cap = category.cap_permille;
  const ratio = b.sampling.ratio_permille;
  if (Number.isInteger(cap) && Number.isInteger(ratio) && ratio > cap) {
    return problem("sampling.ratio_permille", "rules.cap", { ratio, cap, code: category.code }, cap, ratio);
  }
  return null;
}

/** UNIX seconds of `YYYY-MM-DDTHH:MM:SSZ`; a Problem otherwise. */
export function unixTime(stamp, path = "announcement") {
  const m = typeof stamp === "string" && /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(stamp);
  const t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
  const back = Number.isNaN(t) ? "" : new Date(t).toISOString().replace(".000Z", "Z");
  if (!m || back !== stamp) throw new Problem(path, "v2.time", { value: stamp });
  return t / 1000;
}

function exactKeys(obj, keys, path) {
  if (!isObject(obj)) throw new Problem(path, "expected.object", { value: obj });
  for (const k of keys) if (!has(obj, k)) throw new Problem(`${path}.${k}`, "missing");
  for (const k of Object.keys(obj)) if (!keys.includes(k)) throw new Problem(`${path}.${k}`, "unknown_field");
}

const text = (obj, key, path) => {
  if (!has(obj, key)) throw new Problem(`${path}.${key}`, "missing");
  if (typeof obj[key] !== "string") throw new Problem(`${path}.${key}`, "expected.text", { value: obj[key] });
  return obj[key];
};
const integer = (obj, key, path) => {
  if (!has(obj, key)) throw new Problem(`${path}.${key}`, "missing");
  if (!Number.isSafeInteger(obj[key])) throw new Problem(`${path}.${key}`, "expected.int", { value: obj[key] });
  return obj[key];
};
function pairs(list, path) {
  if (!Array.isArray(list)) throw new Problem(path, "expected.list", { value: list });
  return list.map((x, i) => {
    if (!(Array.isArray(x) && x.length === 2 && x.every((s) => typeof s === "string"))) {
      throw new Problem(`${path}[${i}]`, "expected.party_pair");
    }
    return [x[0], x[1]];
  });
}

/** The announcement's declared conflicts, which must be sorted and unique (§10). */
export function readConflicts(announcement) {
  const path = "bundle.announcement";
  if (!isObject(announcement)) throw new Problem(path, "expected.object", { value: announcement });
  if (!has(announcement, "conflicts")) throw new Problem(`${path}.conflicts`, "missing");
  const list = announcement.conflicts;
  if (!Array.isArray(list)) throw new Problem(`${path}.conflicts`, "expected.list", { value: list });
  const out = list.map((pair, j) => {
    if (!(Array.isArray(pair) && pair.length === 2 && pair.every((x) => typeof x === "string"))) {
      throw new Problem(`${path}.conflicts[${j}]`, "expected.pair");
    }
    return [pair[0], pair[1]];
  });
  for (let i = 1; i < out.length; i++) {
    const c = compareText(out[i - 1][0], out[i][0]) || compareText(out[i - 1][1], out[i][1]);
    if (c >= 0) throw new Problem(`${path}.conflicts`, "v2.conflicts_sorted");
  }
  return out;
}

/** The stream key of v2 recusal step `step` as the bundle records it (§12). */
export async function stepSeed(step, seed, path) {
  const declaration = {};
  for (const k of ["person_id", "target_id", "mode", "reason", "declared_at"]) declaration[k] = text(step, k, path);
  if (!has(step, "beacon")) throw new Problem(`${path}.beacon`, "missing");
  if (!isObject(step.beacon)) throw new Problem(`${path}.beacon`, "expected.object", { value: step.beacon });
  const randomness = text(step.beacon, "randomness", `${path}.beacon`);
  return sha256Json({ format: "shuangsuiji-recusal-seed/1", seed, step: step.step, declaration, beacon: randomness });
}

/** The seed of a commit–reveal and/or beacon procedure (§11.3). */
export function deriveSeed(announcementDigest, commitments, reveals, randomness) {
  const byParty = (rows) => [...rows].sort((a, b) => compareText(a[0], b[0]) || compareText(a[1], b[1]));
  return sha256Json({ format: "shuangsuiji-seed/1", announcement: announcementDigest,
    commitments: byParty(commitments), reveals: byParty(reveals), beacon: randomness });
}

function chainOf(hash, path) {
  const known = typeof hash === "string" ? CHAINS.get(hash) : undefined;
  if (!known) throw new Problem(path, "v2.unknown_chain", { chain: hash });
  return known;
}

async function beaconValue(value, valuePath, chain, round, after, notes, what) {
  const found = integer(value, "round", valuePath);
  if (found !== round) return problem(`${valuePath}.round`, "v2.round", {}, round, found);
  if (round < 1) throw new Problem("announcement", "v2.round_start", { round });
  if (roundTime(chain, round) <= after) return problem(`${valuePath}.round`, `v2.round_early.${what}`, { round });
  const signature = text(value, "signature", valuePath);
  const randomness = await randomnessOf(signature);
  if (randomness === null) throw new Problem("announcement", "v2.not_hex");
  if (text(value, "randomness", valuePath) !== randomness) {
    return problem(`${valuePath}.randomness`, "v2.randomness", {}, randomness, value.randomness);
  }
  if (!(await checkSignature(chain, round, signature))) {
    return problem(`${valuePath}.signature`, "v2.signature", { round });
  }
  notes.push(["note.beacon_checked", { round }]);
  return null;
}

/** The pool's Merkle root (§10.2) shaped as the announcement's format says. */
async function poolMerkle(poolLines, format) {
  const data = format === BLOCK_ANNOUNCEMENT_FORMAT ? poolBlocks(poolLines) : poolLines.map(utf8);
  const leaves = [];
  for (const d of data) leaves.push(await leafHash(d));
  return { root: hex(await root(leaves)), lines: poolLines.length };
}

async function matchesAnnouncement(b, a, pool) {
  for (const key of ["task", "sampling", "draw_parameters"]) {
    if (canonicalJson(a[key]) !== canonicalJson(b[key])) {
      return problem(`announcement.${key}`, "v2.differs_from_announcement", { key }, a[key], b[key]);
    }
  }
  const blocks = a.format === BLOCK_ANNOUNCEMENT_FORMAT;
  exactKeys(a.pool, blocks ? BLOCK_POOL_KEYS : LINE_POOL_KEYS, "announcement.pool");
  const merkle = await poolMerkle(pool.lines, a.format);
  const expected = {
    digest: pool.digest, block_lines: BLOCK_LINES, merkle_root: merkle.root, lines: merkle.lines,
    size: pool.strata.reduce((n, s) => n + s.members.length, 0), excluded: pool.excluded.length,
  };
  if (!blocks) delete expected.block_lines;
  for (const [key, value] of Object.entries(expected)) {
    if (a.pool[key] !== value) return problem(`announcement.pool.${key}`, "v2.pool", {}, value, a.pool[key]);
  }
  const digests = {
    inspectors_digest: await sha256Json(b.inspectors),
    experts_digest: await sha256Json(b.experts_directory),
  };
  for (const [key, value] of Object.entries(digests)) {
    if (a[key] !== value) return problem(`announcement.${key}`, "v2.directory", {}, value, a[key]);
  }
  exactKeys(a.rules, ["pack", "version", "digest"], "announcement.rules");
  text(a.rules, "pack", "announcement.rules");
  text(a.rules, "version", "announcement.rules");
  const digest = await sha256Json({ draw_rules: b.draw_rules, pool_rules: b.pool_rules });
  if (text(a.rules, "digest", "announcement.rules") !== digest) {
    return problem("announcement.rules.digest", "v2.rules", {}, digest, a.rules.digest);
  }
  const replaces = a.replaces;
  if (replaces !== null && !(typeof replaces === "string" && replaces.length === 64)) {
    return problem("announcement.replaces", "v2.replaces", {}, null, replaces);
  }
  return null;
}

/** A joint task's participants (§6.5) as announced: the announcement's `joint` (/2, /3)
 * equals the bundle's; a /3 announcement of a joint bundle has it; a /1 announcement of a
 * joint bundle did not fix them (a note, not a failure). */
async function matchesParticipants(b, a, notes) {
  const joint = has(b, "joint") ? b.joint : null;
  if (!has(a, "joint")) {
    if (joint !== null && a.format === BLOCK_ANNOUNCEMENT_FORMAT) return problem("announcement.joint", "missing");
    if (joint !== null) notes.push(["note.joint_unannounced", { format: ANNOUNCEMENT_FORMAT }]);
    return null;
  }
  if (joint === null || canonicalJson(a.joint) !== canonicalJson(joint)) {
    return problem("announcement.joint", "v2.joint", {}, a.joint, joint);
  }
  return null;
}

function checkReveals(parties, commitments, reveals, usesReveals, usesBeacon) {
  if (!usesReveals) {
    if (commitments.length || reveals.length || parties.length) return problem("seed_inputs", "v2.beacon_only");
    return null;
  }
  if (!sortedUnique(parties) || parties.length < 2) return problem("announcement.seed_procedure.parties", "v2.parties");
  for (const [key, rows] of [["commitments", commitments], ["reveals", reveals]]) {
    const names = rows.map((r) => r[0]);
    if (!sortedUnique(names)) return problem(`seed_inputs.${key}`, "v2.one_per_party");
    for (let i = 0; i < names.length; i++) {
      if (!parties.includes(names[i])) return problem(`seed_inputs.${key}[${i}][0]`, "v2.unknown_party", { party: names[i] });
    }
  }
  return null;
}

async function checkSeed(b, a, notes) {
  const proc = a.seed_procedure;
  exactKeys(proc, ["kind", "parties", "beacon"], "announcement.seed_procedure");
  const kind = text(proc, "kind", "announcement.seed_procedure");
  if (!PROCEDURES.includes(kind)) return problem("announcement.seed_procedure.kind", "v2.procedure", {}, PROCEDURES, kind);
  const inputs = b.seed_inputs;
  exactKeys(inputs, ["commitments", "reveals", "beacon"], "seed_inputs");
  if (!Array.isArray(proc.parties)) throw new Problem("announcement.seed_procedure.parties", "expected.list", { value: proc.parties });
  proc.parties.forEach((p, i) => {
    if (typeof p !== "string") throw new Problem(`announcement.seed_procedure.parties[${i}]`, "expected.text", { value: p });
  });
  const parties = proc.parties;
  const commitments = pairs(inputs.commitments, "seed_inputs.commitments");
  const reveals = pairs(inputs.reveals, "seed_inputs.reveals");
  if (WEAKER.includes(kind)) {
    if (commitments.length || reveals.length || inputs.beacon !== null || parties.length || proc.beacon !== null) {
      return problem("seed_inputs", "v2.weaker_inputs", { kind });
    }
    notes.push(["note.weaker", { kind }]);
    return null;
  }
  const usesReveals = kind.startsWith("commit_reveal");
  const usesBeacon = kind.endsWith("beacon");
  const announcedAt = unixTime(text(a, "announced_at", "announcement"));
  const bad = checkReveals(parties, commitments, reveals, usesReveals, usesBeacon);
  if (bad) return bad;
  const committed = new Map(commitments);
  for (let i = 0; i < reveals.length; i++) {
    const [party, secret] = reveals[i];
    if (!committed.has(party)) return problem(`seed_inputs.reveals[${i}]`, "v2.no_commitment", { party });
    const digest = hex(await sha256(utf8(secret)));
    if (digest !== committed.get(party)) {
      return problem(`seed_inputs.reveals[${i}][1]`, "v2.reveal", { party }, committed.get(party), digest);
    }
  }
  const missing = parties.filter((p) => !reveals.some((r) => r[0] === p)).sort(compareText);
  if (usesReveals && missing.length && !usesBeacon) {
    return problem("seed_inputs.reveals", "v2.must_wait", { who: missing.join(", ") });
  }
  let randomness = null;
  if (usesBeacon) {
    const chainR = proc.beacon;
    exactKeys(chainR, [...CHAIN_KEYS, "round"], "announcement.seed_procedure.beacon");
    const known = chainOf(chainR.chain_hash, "announcement.seed_procedure.beacon.chain_hash");
    for (const key of CHAIN_KEYS) {
      if (chainR[key] !== known[key]) {
        return problem(`announcement.seed_procedure.beacon.${key}`, "v2.chain_value", {}, known[key], chainR[key]);
      }
    }
    exactKeys(inputs.beacon, ["round", "signature", "randomness"], "seed_inputs.beacon");
    const round = integer(chainR, "round", "announcement.seed_procedure.beacon");
    const bad2 = await beaconValue(inputs.beacon, "seed_inputs.beacon", known, round, announcedAt, notes, "announcement");
    if (bad2) return bad2;
    randomness = inputs.beacon.randomness;
  } else if (inputs.beacon !== null) {
    return problem("seed_inputs.beacon", "v2.no_beacon");
  }
  const seed = await deriveSeed(await sha256Json(a), commitments, reveals, randomness);
  if (b.seed !== seed) return problem("seed", "v2.seed", {}, seed, b.seed);
  notes.push([missing.length ? "note.seed_checked_missing" : "note.seed_checked", { kind, who: missing.join(", ") }]);
  return null;
}

/** The v2 checks (§13.3 steps 3–5), after the draw and its digest were recomputed. */
export async function checkV2(b, pool, notes) {
  const a = b.announcement;
  if (!isObject(a)) throw new Problem("announcement", "expected.object", { value: a });
  const format = text(a, "format", "announcement");
  const keys = announcementKeys(a);
  if (!keys) {
    return problem("announcement.format", "v2.announcement_format", {}, ANNOUNCEMENT_FORMATS, format);
  }
  exactKeys(a, keys, "announcement");
  const bad = (await matchesAnnouncement(b, a, pool)) || (await matchesParticipants(b, a, notes))
    || (await checkSeed(b, a, notes));
  if (bad) return bad;
  const announcedAt = unixTime(text(a, "announced_at", "announcement"));
  for (const r of b.recusals) {
    const path = `recusals[${r.step - 1}]`;
    exactKeys(r.beacon, ["chain_hash", "round", "signature", "randomness"], `${path}.beacon`);
    const declared = unixTime(text(r, "declared_at", path));
    if (declared < announcedAt) return problem(`${path}.declared_at`, "v2.declared_early");
    const chain = chainOf(r.beacon.chain_hash, `${path}.beacon.chain_hash`);
    const found = await beaconValue(r.beacon, `${path}.beacon`, chain, integer(r.beacon, "round", `${path}.beacon`),
      declared, notes, "recusal");
    if (found) return { ...found, path: `${path}.beacon.${found.path.split(".").pop()}` };
  }
  return null;
}
