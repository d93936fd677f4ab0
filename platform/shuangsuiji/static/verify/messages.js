// The verifier's messages in English and Chinese; the page's <html lang> picks one.

const M = {
  "json.syntax": ["the file is not valid JSON here", "此处不是有效的 JSON"],
  "json.unterminated": ["a string is not closed", "字符串没有结束引号"],
  "json.trailing": ["text follows the JSON value", "JSON 值之后还有多余内容"],
  "json.duplicate_key": ["the key %(key)s occurs twice in this object: a reader and a verifier could see different values",
    "该对象中键 %(key)s 出现两次：阅读者与核验程序可能看到不同的值"],
  "json.not_integer": ["%(value)s is not an integer: bundles hold integers only", "%(value)s 不是整数：抽取数据包只允许整数"],
  "json.too_large": ["the integer %(value)s is too large", "整数 %(value)s 过大"],
  "expected.text": ["expected a string, found %(value)s", "应为字符串，实际为 %(value)s"],
  "expected.int": ["expected an integer, found %(value)s", "应为整数，实际为 %(value)s"],
  "expected.bool": ["expected true or false, found %(value)s", "应为 true 或 false，实际为 %(value)s"],
  "expected.date": ["expected a date YYYY-MM-DD, found %(value)s", "应为日期 YYYY-MM-DD，实际为 %(value)s"],
  "expected.list": ["expected a list, found %(value)s", "应为列表，实际为 %(value)s"],
  "expected.object": ["expected an object, found %(value)s", "应为对象，实际为 %(value)s"],
  "expected.param": ["expected [name, value], found %(value)s", "应为 [名称, 值]，实际为 %(value)s"],
  "expected.pair": ["expected [person, target]", "应为 [人员, 检查对象]"],
  "expected.member": ["expected [credit code, name, [flags]]", "应为 [统一社会信用代码, 名称, [标记]]"],
  "expected.excluded": ["expected [credit code, name, rule code, task id|null]", "应为 [统一社会信用代码, 名称, 规则代码, 任务编号或 null]"],
  "missing": ["missing field", "缺少该字段"],
  "unknown_field": ["field not part of the format", "该字段不属于此格式"],
  "differs": ["expected %(expected)s, found %(found)s", "应为 %(expected)s，实际为 %(found)s"],
  "list_length": ["list has %(found)s entries, expected %(expected)s", "列表有 %(found)s 项，应为 %(expected)s 项"],
  "unsupported_format": ["unsupported format; this verifier reads %(format)s", "不支持的格式；本核验程序只读取 %(format)s"],
  "draw_digest": ["the draw digest does not match the bundle's content", "抽取结果摘要与抽取数据包的内容不符"],
  "seed.empty": ["the seed is empty", "种子为空"],
  "kernel.ratio": ["ratio_permille=%(ratio)s: give an integer per mille from 0 to 1000", "ratio_permille=%(ratio)s：比例应为 0 至 1000 的千分比整数"],
  "kernel.min_count": ["min_count=%(min)s: must be 0 or more", "min_count=%(min)s：不能小于 0"],
  "kernel.max_count": ["max_count=%(max)s is below min_count=%(min)s", "max_count=%(max)s 小于 min_count=%(min)s"],
  "kernel.separator": ["a code or name contains a tab or line break", "代码或名称中含有制表符或换行符"],
  "kernel.flag": ["risk flag %(flag)s contains a tab, line break or comma", "风险标记 %(flag)s 含有制表符、换行符或逗号"],
  "kernel.rule_code": ["unknown exclusion rule code %(code)s", "未知的排除规则代码 %(code)s"],
  "kernel.duplicate_code": ["credit code %(code)s occurs twice among the candidates", "统一社会信用代码 %(code)s 在候选对象中出现两次"],
  "kernel.empty_pool": ["task %(task)s: the pool is empty", "抽查任务 %(task)s：抽取池为空"],
  "kernel.empty_person": ["a person in a directory has an empty id", "名录中有人员编号为空"],
  "kernel.duplicate_person": ["person id %(id)s occurs twice in a directory", "人员编号 %(id)s 在名录中出现两次"],
  "kernel.scope_unknown": ["inspector scope %(scope)s is unknown", "未知的检查人员范围 %(scope)s"],
  "kernel.scope_refused": ["inspector scope %(scope)s is not allowed by the group rule", "分组规则不允许检查人员范围 %(scope)s"],
  "kernel.batch_refused": ["items of category %(code)s may not have their batch order drawn", "%(code)s 类事项不得抽取批次顺序"],
  "kernel.batch_ratio": ["the batch order may be drawn only from a ratio of %(minimum)s ‰; the ratio is %(ratio)s ‰", "比例达到 %(minimum)s ‰ 方可抽取批次顺序；本任务比例为 %(ratio)s ‰"],
  "kernel.batch_count": ["batch_count=%(count)s for %(drawn)s drawn targets", "batch_count=%(count)s，而抽中对象为 %(drawn)s 个"],
  "kernel.group_both": ["give group_count or targets_per_group, not both", "group_count 与 targets_per_group 只能给出其一"],
  "kernel.per_group": ["targets_per_group=%(value)s: must be 1 or more", "targets_per_group=%(value)s：至少为 1"],
  "kernel.group_count": ["group_count=%(count)s for %(targets)s drawn targets", "group_count=%(count)s，而抽中对象为 %(targets)s 个"],
  "kernel.group_small": ["groups of %(size)s are too small: at least %(minimum)s", "每组 %(size)s 人过少：至少 %(minimum)s 人"],
  "kernel.not_enough_inspectors": ["need %(need)s inspectors, only %(eligible)s eligible", "需要 %(need)s 名检查人员，符合条件的只有 %(eligible)s 名"],
  "kernel.experts_negative": ["experts_count=%(count)s: must be 0 or more", "experts_count=%(count)s：不能小于 0"],
  "kernel.not_enough_experts": ["need %(count)s experts, only %(available)s in the directory", "需要 %(count)s 名专家，名录中只有 %(available)s 名"],
  "kernel.recusal_step": ["recusal step %(step)s where step %(next)s comes next", "回避步骤 %(step)s，应为步骤 %(next)s"],
  "kernel.recusal_mode": ["recusal mode %(mode)s is unknown", "未知的回避方式 %(mode)s"],
  "kernel.recusal_refused": ["recusal by %(mode)s is not allowed by the rule", "规则不允许以 %(mode)s 方式回避"],
  "kernel.recusal_target": ["target %(target)s is not assigned to group %(group)s", "检查对象 %(target)s 不属于第 %(group)s 组"],
  "kernel.no_replacement": ["no inspector is left to replace %(person)s in group %(group)s", "第 %(group)s 组没有可替换 %(person)s 的检查人员"],
  "kernel.no_swap": ["no target can be swapped for %(target)s of group %(group)s", "第 %(group)s 组的检查对象 %(target)s 无可交换的对象"],
  "kernel.recusal_not_drawn": ["target %(target)s was not drawn in this task", "检查对象 %(target)s 未在本任务中抽中"],
  "kernel.expert_swap": ["expert %(person)s holds no targets to swap", "专家 %(person)s 没有可交换的检查对象"],
  "kernel.no_expert": ["no expert is left to replace %(person)s", "没有可替换 %(person)s 的专家"],
  "kernel.recusal_person": ["%(person)s is neither an inspector nor an expert drawn in this task", "%(person)s 既不是本任务抽中的检查人员，也不是抽中的专家"],
  "fail.at": ["bundle does NOT verify: first mismatch at %(path)s: %(problem)s", "抽取数据包核验未通过：第一个不一致之处在 %(path)s：%(problem)s"],
  "fail.format": ["not a JSON draw bundle: %(path)s: %(problem)s", "不是 JSON 格式的抽取数据包：%(path)s：%(problem)s"],
  "ok": ["bundle OK: task %(task)s, pool %(size)s targets in %(strata)s strata (%(excluded)s excluded), %(selected)s drawn, %(groups)s groups, %(experts)s experts, %(recusals)s recusal steps; pool digest %(digest)s",
    "抽取数据包核验通过：抽查任务 %(task)s，抽取池 %(size)s 户检查对象，分 %(strata)s 层（排除 %(excluded)s 户），抽中 %(selected)s 户，%(groups)s 个检查组，%(experts)s 名专家，%(recusals)s 步回避；抽取池摘要 %(digest)s"],
};

export function language() {
  const lang = (globalThis.document?.documentElement?.lang || "zh-CN").toLowerCase();
  return lang.startsWith("zh") ? 1 : 0;
}

const show = (v) => (typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));
const short = (v) => {
  const text = show(v);
  return text.length <= 200 ? text : text.slice(0, 197) + "...";
};

/** The message `key` with `args` filled in, in the page's language (or `lang`: 0 en, 1 zh). */
export function t(key, args = {}, lang = language()) {
  const entry = M[key];
  if (!entry) return key;
  return entry[lang].replace(/%\((\w+)\)s/g, (_, name) => {
    const v = args[name];
    return typeof v === "string" && !["value", "expected", "found"].includes(name) ? v : short(v);
  });
}

/** The whole outcome of verifyBundle as one line. */
export function outcome(report, lang = language()) {
  if (report.ok) return t("ok", report.summary, lang);
  const args = { ...report.args, expected: report.expected, found: report.found };
  const problem = t(report.key, args, lang);
  return t(report.key.startsWith("json.") ? "fail.format" : "fail.at", { path: report.path || "bundle", problem }, lang);
}

export const messageKeys = () => Object.keys(M);

Object.assign(M, {
  "ui.working": ["Verifying in this browser…", "正在本浏览器中核验……"],
  "ui.cannot_read": ["cannot read the bundle: %(reason)s", "无法读取抽取数据包：%(reason)s"],
  "ui.draw_number": ["enter the draw's number (the digits in its address)", "请输入抽取编号（其网址中的数字）"],
  "ui.no_bundle": ["draw %(id)s has no bundle here (HTTP %(status)s)", "本门户没有第 %(id)s 号抽取的抽取数据包（HTTP %(status)s）"],
  "company.absent": ["%(code)s is not in the pool of task %(task)s, nor among its excluded targets", "%(code)s 不在抽查任务 %(task)s 的抽取池中，也不在其排除名单中"],
  "company.pool": ["%(name)s is in the pool of task %(task)s (stratum %(stratum)s: %(drawn_count)s of %(stratum_size)s drawn) and was not drawn", "%(name)s 在抽查任务 %(task)s 的抽取池中（%(stratum)s 层：%(stratum_size)s 户中抽取 %(drawn_count)s 户），未被抽中"],
  "company.drawn": ["%(name)s was drawn in task %(task)s (stratum %(stratum)s, number %(position)s in drawn order)", "%(name)s 在抽查任务 %(task)s 中被抽中（%(stratum)s 层，抽取顺序第 %(position)s 位）"],
  "company.group": ["; inspected by group %(group)s", "；由第 %(group)s 检查组检查"],
  "company.batch": ["; in batch %(batch)s", "；属第 %(batch)s 批次"],
  "company.excluded": ["%(name)s was excluded from the pool of task %(task)s by rule %(rule)s (%(pack)s %(version)s %(article)s)", "%(name)s 按规则 %(rule)s（%(pack)s %(version)s %(article)s）被排除在抽查任务 %(task)s 的抽取池之外"],
  "company.trigger": ["; because of the earlier task %(trigger)s", "；依据此前的抽查任务 %(trigger)s"],
  "log.ok": ["checkpoint signature valid: log %(origin)s, %(size)s entries, signed by %(key)s.", "检查点签名有效：日志 %(origin)s，共 %(size)s 条，由 %(key)s 签名。"],
  "log.included": ["Entry %(index)s is included in this tree of %(size)s.", "第 %(index)s 条包含在这棵 %(size)s 条的树中。"],
  "log.not_included": ["The inclusion proof for entry %(index)s does NOT match this tree of %(size)s.", "第 %(index)s 条的包含证明与这棵 %(size)s 条的树不符。"],
  "note.bad_key": ["the log's public key is not a note verifier key (name+id+base64 key)", "日志公钥不是有效的签名验证密钥（名称+编号+base64 密钥）"],
  "note.key_id_mismatch": ["the key id does not match the key", "密钥编号与密钥不符"],
  "note.malformed": ["not a signed note: text, a blank line, then lines “— name signature”", "不是签名文本：应为正文、一个空行，然后是“— 名称 签名”行"],
  "note.unsigned": ["the note carries no signature", "该文本没有签名"],
  "note.no_signature": ["no signature by %(name)s on this checkpoint", "该检查点上没有 %(name)s 的签名"],
  "note.bad_signature": ["the signature by %(name)s is NOT valid: the checkpoint was altered or not signed by this key", "%(name)s 的签名无效：检查点被改动，或并非由此密钥签名"],
  "checkpoint.malformed": ["not a checkpoint: origin, tree size, root hash (base64) expected", "不是检查点：应为来源、树大小、根哈希（base64）"],
});
