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
  "kernel.two_classes": ["target %(code)s carries two credit-risk classes (%(classes)s)", "检查对象 %(code)s 同时带有两个信用风险分类（%(classes)s）"],
  "kernel.rule_code": ["unknown exclusion rule code %(code)s", "未知的排除规则代码 %(code)s"],
  "kernel.empty_trigger": ["the trigger is a task id, or null when no task triggered the exclusion; an empty string is refused (it gives the digest line of null)", "触发任务应为任务编号；无触发任务时为 null，不得为空字符串（空字符串与 null 的摘要行相同）"],
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
  if (report.ok) return [t("ok", report.summary, lang), ...noteLines(report, lang)].join("\n");
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

Object.assign(M, {
  "expected.party_pair": ["expected [party, value]", "应为 [参与方, 值]"],
  "kernel.conflict_no_candidate": ["inspector %(person)s has a declared conflict of interest with a target of group %(group)s and no eligible inspector is left to take the place", "检查人员 %(person)s 与第 %(group)s 组的检查对象有已申报的利害关系，且没有其他符合条件的检查人员可以替换"],
  "rules.item_codes": ["item codes must be sorted by UTF-8 bytes and unique", "抽查事项代码须按 UTF-8 字节排序且不重复"],
  "rules.special": ["a special task (专项检查) excludes nobody, but %(n)s targets are excluded", "专项检查不排除任何检查对象，但此处排除了 %(n)s 户"],
  "rules.not_enabled": ["exclusion rule %(code)s is not enabled by the bundle's policy", "排除规则 %(code)s 未被本数据包的政策启用"],
  "rules.no_trigger": ["an exclusion by %(code)s names the earlier inspection that triggered it", "按 %(code)s 排除时须注明触发排除的此前检查任务"],
  "rules.flag_trigger": ["an exclusion by the flag rule %(code)s has no triggering task: its trigger is null", "按标记规则 %(code)s 排除时没有触发任务，触发任务应为 null"],
  "rules.cap": ["ratio %(ratio)s ‰ exceeds the cap of %(cap)s ‰ of item category %(code)s", "抽查比例 %(ratio)s ‰ 超过事项类别 %(code)s 的上限 %(cap)s ‰"],
  "v2.time": ["time %(value)s is not YYYY-MM-DDTHH:MM:SSZ (UTC)", "时间 %(value)s 不是 YYYY-MM-DDTHH:MM:SSZ（UTC）格式"],
  "v2.conflicts_sorted": ["conflicts must be sorted and unique", "利害关系须排序且不重复"],
  "v2.unknown_chain": ["beacon chain %(chain)s is not one this verifier knows (drand quicknet): its public key cannot be taken from the bundle itself", "随机信标链 %(chain)s 不是本核验程序认可的链（drand quicknet）：其公钥不能取自数据包本身"],
  "v2.round": ["not the beacon round announced", "不是公告中指定的随机信标轮次"],
  "v2.round_start": ["beacon round %(round)s: rounds start at 1", "随机信标轮次 %(round)s：轮次从 1 开始"],
  "v2.round_early.announcement": ["beacon round %(round)s was produced before the announcement: its value was already known", "随机信标第 %(round)s 轮产生于抽取公告之前：其值当时已可知"],
  "v2.round_early.recusal": ["beacon round %(round)s was produced before the recusal was declared: its value was already known", "随机信标第 %(round)s 轮产生于回避申报之前：其值当时已可知"],
  "v2.not_hex": ["the beacon signature is not hex", "随机信标签名不是十六进制"],
  "v2.randomness": ["the randomness is not SHA-256 of the signature", "随机数不是签名的 SHA-256"],
  "v2.signature": ["the beacon signature does not verify for round %(round)s under the chain's key", "随机信标签名在该链公钥下对第 %(round)s 轮验证不通过"],
  "v2.differs_from_announcement": ["the draw's %(key)s differ from the announcement", "本次抽取的 %(key)s 与抽取公告不一致"],
  "v2.pool": ["the pool differs from the announced pool", "抽取池与公告的抽取池不一致"],
  "v2.directory": ["the directory used differs from the announced one", "使用的名录与公告的名录不一致"],
  "v2.rules": ["the rules used differ from the announced rules", "适用规则与公告的规则不一致"],
  "v2.replaces": ["expected the voided bundle's draw digest (64 hex digits) or null", "应为被作废抽取数据包的抽取结果摘要（64 位十六进制）或 null"],
  "v2.beacon_only": ["a beacon seed has no commitments or reveals", "仅用随机信标的种子不应有承诺或揭示"],
  "v2.parties": ["at least two parties, sorted and unique", "至少两个参与方，排序且不重复"],
  "v2.one_per_party": ["sorted by party and one per party", "须按参与方排序，每方一项"],
  "v2.unknown_party": ["party %(party)s is not named in the announcement", "参与方 %(party)s 未在抽取公告中列明"],
  "v2.no_commitment": ["party %(party)s revealed without a commitment", "参与方 %(party)s 未作承诺即揭示"],
  "v2.reveal": ["the reveal of %(party)s does not match its commitment", "%(party)s 的揭示值与其承诺不符"],
  "v2.must_wait": ["%(who)s did not reveal and the announcement named no beacon: such a draw must wait for every reveal", "%(who)s 未揭示，且抽取公告未指定随机信标：此类抽取须等待各方全部揭示"],
  "v2.procedure": ["unknown seed procedure", "未知的取种方式"],
  "v2.weaker_inputs": ["a %(kind)s seed has no commitments, reveals or beacon", "%(kind)s 种子不应有承诺、揭示或随机信标"],
  "v2.chain_value": ["not the known chain's value", "与已知链的参数不符"],
  "v2.no_beacon": ["the announcement named no beacon", "抽取公告未指定随机信标"],
  "v2.seed": ["the seed is not the one derived from the announced procedure's inputs", "随机种子不是由公告的产生方式及其输入推导出的种子"],
  "v2.announcement_format": ["unsupported announcement format", "不支持的抽取公告格式"],
  "v2.joint": ["the draw's participants (their units, items or quotas) differ from the announced ones", "抽取的参与单位（单位、事项或名额）与公告的不一致"],
  "note.joint_unannounced": ["joint task: the announcement (%(format)s) does not list the participants, so nothing shows their items and quotas were fixed before the seed", "联合抽查：抽取公告（%(format)s）未列出参与单位，无法证明其事项和名额在种子产生前已确定"],
  "v2.declared_early": ["declared before the announcement", "申报时间早于抽取公告"],
  "note.beacon_checked": ["beacon round %(round)s: BLS signature checked (@noble/curves, in this browser)", "随机信标第 %(round)s 轮：BLS 签名已核验（@noble/curves，在本浏览器中）"],
  "note.weaker": ["seed procedure %(kind)s: WEAKER — the seed was chosen by one party after the announcement; it cannot be checked", "取种方式 %(kind)s：较弱——种子由一方在公告后选定，无法核验"],
  "note.seed_checked": ["seed procedure %(kind)s: the seed is derived from inputs no single party controlled (checked)", "取种方式 %(kind)s：种子由任何一方都无法单独控制的输入推导（已核验）"],
  "note.seed_checked_missing": ["seed procedure %(kind)s: the seed is derived from inputs no single party controlled (checked); did not reveal: %(who)s", "取种方式 %(kind)s：种子由任何一方都无法单独控制的输入推导（已核验）；未揭示：%(who)s"],
  "note.v1": ["format shuangsuiji-draw/1: no announcement, so the bundle says nothing about when the directories, parameters and rules were fixed, or who chose the seed", "格式 shuangsuiji-draw/1：没有抽取公告，因此无法说明名录、参数和规则何时确定，也无法说明种子由谁选定"],
  "company.proof_v2": ["The proof holds the line's Merkle inclusion proof against the announced pool root.", "证明包含该行相对于公告抽取池根哈希的默克尔包含证明。"],
});

/** The notes of a verified bundle, one line each. */
export const noteLines = (report, lang = language()) => (report.notes ?? []).map(([key, args]) => t(key, args, lang));

Object.assign(M, {
  "log.bad_proof": ["the proof JSON has no list of hashes under “proof”", "证明 JSON 中没有“proof”哈希列表"],
  "log.bad_json": ["the JSON pasted cannot be read", "粘贴的 JSON 无法读取"],
  "log.other_log": ["the two checkpoints are of different logs (%(old)s, %(new)s)", "两个检查点属于不同的日志（%(old)s、%(new)s）"],
  "log.consistent": ["The tree of %(new)s entries extends the tree of %(old)s: nothing in the earlier log was removed or rewritten.", "%(new)s 条的树是 %(old)s 条的树的延续：早先日志中的记录没有被删除或改写。"],
  "log.inconsistent": ["The consistency proof from %(old)s to %(new)s entries does NOT hold: the log was changed since the earlier checkpoint, or the proof is wrong.", "从 %(old)s 条到 %(new)s 条的一致性证明不成立：自较早的检查点以来日志已被改动，或证明有误。"],
  "log.no_api": ["%(url)s: HTTP %(status)s", "%(url)s：HTTP %(status)s"],
  "log.fetched": ["Fetched from this portal (tree of %(size)s entries); now verify.", "已从本门户获取（%(size)s 条的树）；请点击核验。"],
});

Object.assign(M, {
  "units.shape": ["expected an object with the keys tree and triggers", "应为含 tree 与 triggers 两个键的对象"],
  "units.tree_shape": ["expected a list of [code, name, kind, parent or null]", "应为 [单位编码, 单位名称, 单位类型, 上级单位编码或 null] 的列表"],
  "units.tree_order": ["units must be in canonical text and sorted by code", "单位须为规范文本并按单位编码排序"],
  "units.tree_unit": ["a unit has an empty code or name, an unknown kind or an unknown parent", "有单位的编码或名称为空、单位类型未知或上级单位不存在"],
  "units.tree_cycle": ["the units form a cycle", "单位的上下级关系构成循环"],
  "units.task_department": ["the task's department is not the 司局 of its unit %(unit)s in the tree", "任务的司局不是其单位 %(unit)s 在组织机构中的所属司局"],
  "units.inspector_department": ["the inspector's department is not the 司局 of their unit %(unit)s in the tree", "检查人员的司局不是其单位 %(unit)s 在组织机构中的所属司局"],
  "units.inspector_subordinate": ["the inspector's subordinate flag does not follow their unit %(unit)s in the tree", "检查人员的下级主管部门标记与其单位 %(unit)s 在组织机构中的位置不符"],
  "units.triggers_shape": ["expected a list of [task id, department, division]", "应为 [任务编号, 司局, 处室] 的列表"],
  "units.triggers_order": ["triggers must be sorted by task id and unique", "触发任务须按任务编号排序且不重复"],
  "units.trigger_missing": ["the task that triggered a same-quarter exclusion is not among units.triggers", "触发同季度排除的任务不在 units.triggers 中"],
  "units.trigger_department": ["the triggering task's department is not the 司局 of its unit in the tree", "触发任务的司局不是其单位在组织机构中的所属司局"],
  "units.other_department": ["the same-quarter exclusion (MIIT 第十条第二款) binds other 处室 of the task's own 司局 only; task %(trigger)s is of %(dept)s / %(unit)s", "同季度排除（工信部办法第十条第二款）只适用于本司局的其他处室；任务 %(trigger)s 属于 %(dept)s / %(unit)s"],
});
Object.assign(M, {
  "joint.shape": ["expected an object with the key participants", "应为含 participants 键的对象"],
  "joint.not_joint": ["the bundle names participants of a joint task (联合抽查) but the task is not declared joint", "数据包列出联合抽查的参与单位，但任务未声明为联合抽查"],
  "joint.participant": ["expected a participant {code, name, tenant, units, item_codes, quota}", "应为参与单位 {code, name, tenant, units, item_codes, quota}"],
  "joint.too_few": ["a joint inspection needs at least two participants; %(n)s given", "联合抽查至少需要两个参与单位；此处只有 %(n)s 个"],
  "joint.code": ["participant %(code)s is named twice or has no code", "参与单位 %(code)s 重复或缺少编码"],
  "joint.quota": ["participant %(code)s: the quota %(quota)s must be at least 1", "参与单位 %(code)s：配额 %(quota)s 至少为 1"],
  "joint.empty": ["participant %(code)s names no unit or no item", "参与单位 %(code)s 未列出单位或事项"],
  "joint.item_twice": ["item %(item)s is brought by both %(a)s and %(b)s", "事项 %(item)s 同时属于 %(a)s 与 %(b)s"],
  "joint.items": ["the participants' items are not the task's items", "参与单位的事项与任务的事项不一致"],
  "joint.quota_size": ["the quotas add up to %(total)s per group, more than the group size %(size)s", "各参与单位配额合计每组 %(total)s 人，超过每组人数 %(size)s"],
  "joint.not_enough": ["participant %(code)s has %(eligible)s eligible inspectors; its quota needs %(need)s", "参与单位 %(code)s 符合条件的检查人员只有 %(eligible)s 名，其配额需要 %(need)s 名"],
});
Object.assign(M, {
  "text.cut": ["a shuangsuiji-draw/3 file has the bundle's JSON on its second line, then the pool's lines; this one ends before them", "shuangsuiji-draw/3 文件的第二行是抽取数据包的 JSON，其后是抽取池各行；此文件在抽取池各行之前就结束了"],
  "text.not_utf8": ["not UTF-8 text", "不是 UTF-8 文本"],
  "text.pool_field": ["a shuangsuiji-draw/3 file gives the pool as its lines after the JSON, not as a pool field", "shuangsuiji-draw/3 文件以 JSON 之后的各行给出抽取池，不得含有 pool 字段"],
  "text.no_final_lf": ["the pool's last line has no line feed", "抽取池的最后一行没有换行符"],
  "text.pool_format": ["expected %(format)s, the first line of a pool's text", "应为 %(format)s（抽取池文本的第一行）"],
  "text.no_header": ["the pool's header line is missing", "缺少抽取池的标题行"],
  "text.stratum_short": ["stratum %(name)s announces %(count)s members; the text ends after %(found)s", "%(name)s 层声明有 %(count)s 户，但文本在 %(found)s 户之后就结束了"],
  "text.stratum_line": ["expected stratum<TAB>name<TAB>ratio<TAB>size<TAB>member count", "应为 stratum<TAB>层名<TAB>比例<TAB>抽取数<TAB>户数"],
  "text.member_line": ["expected member<TAB>credit code<TAB>name<TAB>flags (flags joined by commas)", "应为 member<TAB>统一社会信用代码<TAB>名称<TAB>标记（以逗号分隔）"],
  "text.excluded_line": ["expected excluded<TAB>code<TAB>name<TAB>rule<TAB>article<TAB>trigger", "应为 excluded<TAB>统一社会信用代码<TAB>名称<TAB>规则代码<TAB>条款<TAB>触发任务"],
  "text.unexpected_line": ["expected a stratum line, a member line of the stratum before it, or an excluded line", "应为分层行、上一分层的检查对象行或排除行"],
  "text.not_canonical": ["the pool's lines are not the canonical text of the pool they describe (expected %(expected)s, found %(found)s)", "抽取池各行不是其所描述抽取池的规范文本（应为 %(expected)s，实际为 %(found)s）"],
});
