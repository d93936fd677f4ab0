// A company's view of a verified bundle: is its credit code in the pool (which stratum),
// excluded (by which rule, citing which article), drawn (in which group and batch), and a
// proof it can keep: its own line of the pool's canonical text, which with the other lines
// hashes to the announced pool digest.

import { canonicalText, hex, utf8 } from "./canonical.js";
import { memberLine } from "./pool.js";
import { inclusionProof, leafHash } from "./merkle.js";
import { BLOCK_ANNOUNCEMENT_FORMAT, BLOCK_LINES, poolBlocks } from "./v2.js";

export const PROOF_FORMAT = "shuangsuiji-company-proof/1";

/**
 * Look `code` up in `verified` (what verifyBundle returned, ok). Returns null when the code
 * is not in the bundle, else {status: "drawn"|"pool"|"excluded", task, stratum, group,
 * batch, rule, article, pack, version, trigger, proof}.
 */
export async function lookUp(verified, code) {
  const found = find(verified, code);
  if (found && verified.remade.format === "shuangsuiji-draw/2") await addMerkle(verified, found);
  return found;
}

/** v2: the inclusion proofs (RFC 9162 §2.1.3) of the company's line, and for a member of its
 * stratum's line, against the announced pool root (docs/draw-spec.md §10.2): in a /3
 * announcement the leaf is the line's block of 256 lines, given whole; before, the line. */
async function addMerkle(verified, found) {
  const lines = verified.lines;
  const a = verified.remade.announcement;
  const blocks = a.format === BLOCK_ANNOUNCEMENT_FORMAT;
  const data = blocks ? poolBlocks(lines) : lines.map(utf8);
  const leaves = [];
  for (const d of data) leaves.push(await leafHash(d));
  const prove = async (index) => {
    const leaf = blocks ? Math.floor(index / BLOCK_LINES) : index;
    const out = { index, line: lines[index] };
    if (blocks) {
      Object.assign(out, { block: leaf, blocks: leaves.length,
        block_lines: lines.slice(leaf * BLOCK_LINES, (leaf + 1) * BLOCK_LINES) });
    }
    out.proof = (await inclusionProof(leaves, leaf)).map(hex);
    return out;
  };
  const index = lines.indexOf(found.proof.pool_line);
  found.proof.announcement = {
    format: a.format, merkle_root: a.pool.merkle_root, lines: a.pool.lines,
    announced_at: a.announced_at,
  };
  found.proof.merkle = { size: lines.length, ...(await prove(index)) };
  if (found.status !== "excluded") {
    let s = index;
    while (s > 0 && !lines[s].startsWith("stratum\t")) s--;
    found.proof.merkle.stratum = await prove(s);
  }
  found.proof.how_to_check += blocks
    ? " Merkle: RFC 9162 §2.1.3.2 from leaf_hash = SHA-256(0x00 || the block's lines, each with its LF) at leaf `block` of `blocks`; the line is block_lines[index − 256·block]; the root must equal announcement.merkle_root (docs/draw-spec.md §10.2)."
    : " Merkle: RFC 9162 §2.1.3.2 with leaf_hash = SHA-256(0x00 || UTF-8(line)); the root must equal announcement.merkle_root (docs/draw-spec.md §10.2).";
}

function find(verified, code) {
  const wanted = canonicalText(code);
  const b = verified.remade;
  const task = b.task.task_id;
  const common = {
    format: PROOF_FORMAT,
    credit_code: wanted,
    task_id: task,
    pool_digest: b.digests.pool,
    draw_digest: b.digests.draw,
    seed: b.seed,
  };
  for (const s of b.pool.strata) {
    const row = s.members.find((m) => m[0] === wanted);
    if (!row) continue;
    const line = memberLine({ code: row[0], name: row[1], flags: row[2] });
    const picked = b.result.strata.find((x) => x.name === s.name)?.selected.indexOf(wanted) ?? -1;
    const final = b.final.groups.find((g) => g.targets.includes(wanted));
    const drawnIn = b.result.groups.find((g) => g.targets.includes(wanted));
    const batch = b.result.batches.find((x) => x.targets.includes(wanted));
    const out = {
      status: picked >= 0 ? "drawn" : "pool",
      name: row[1], task, stratum: s.name, stratum_size: s.members.length, drawn_count: s.size,
      position: picked >= 0 ? picked + 1 : null,
      group: final ? final.number : null,
      group_as_drawn: drawnIn ? drawnIn.number : null,
      batch: batch ? batch.number : null,
    };
    out.proof = {
      ...common, status: out.status, stratum: s.name, pool_line: line,
      drawn_position: out.position, group: out.group, batch: out.batch,
      how_to_check: "The pool digest is SHA-256 of the pool's canonical lines (docs/draw-spec.md §3.3); this line is one of them. Recompute the digest from the published bundle, or re-verify the bundle with ssj-verify.pyz.",
    };
    return out;
  }
  const ex = b.pool.excluded.find((e) => e[0] === wanted);
  if (ex) {
    const cite = verified.cites.get(ex[2]);
    const line = `excluded\t${ex[0]}\t${ex[1]}\t${ex[2]}\t${cite.article}\t${ex[3] ?? ""}`;
    const out = { status: "excluded", name: ex[1], task, rule: ex[2], article: cite.article,
      pack: cite.pack, version: cite.version, trigger: ex[3] };
    out.proof = { ...common, status: "excluded", rule: ex[2], article: cite.article,
      pool_line: line,
      how_to_check: "The pool digest is SHA-256 of the pool's canonical lines (docs/draw-spec.md §3.3); this line is one of them." };
    return out;
  }
  return null;
}
