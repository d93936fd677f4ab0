"""Deterministic generators of realistic directory files (Chinese headings, valid USCCs).

Used by the demo, the tests (fixtures go through the real import path, as a user's file
would) and the benchmarks. Deterministic for a given ``seed`` — these are demo data, not
draws, so Python's ``random.Random`` instance (never the global one) is fine here.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from datetime import date, timedelta

from stdnum.cn import uscc

from shuangsuiji.tabular.cells import neutralise_row

REGIONS = {
    "500103": "渝中",
    "500105": "江北",
    "500106": "沙坪坝",
    "500107": "九龙坡",
    "500108": "南岸",
    "500112": "渝北",
    "110105": "朝阳",
    "110108": "海淀",
    "310115": "浦东",
    "440305": "南山",
    "340104": "蜀山",
    "420106": "武昌",
}
WORDS = (
    "华信",
    "长江",
    "嘉陵",
    "山城",
    "渝通",
    "天府",
    "中科",
    "智联",
    "博远",
    "鼎新",
    "瑞丰",
    "汇川",
    "恒达",
    "启明",
    "星辰",
    "云帆",
    "宏图",
    "精工",
    "万象",
    "金桥",
)
TRADES = (
    "电子科技",
    "通信技术",
    "智能装备",
    "新材料",
    "软件开发",
    "网络科技",
    "机械制造",
    "汽车零部件",
    "数据服务",
    "化工",
    "精密仪器",
    "信息技术",
)
SUFFIXES = ("有限公司", "股份有限公司", "有限责任公司")
INDUSTRIES = (
    "电信业务",
    "软件和信息技术服务业",
    "汽车制造业",
    "计算机、通信和其他电子设备制造业",
    "化学原料和化学制品制造业",
    "通用设备制造业",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "志强",
    "建华",
    "海燕",
    "晓东",
)
FLAGS_ZH = ("投诉举报多", "经营异常名录", "不良信用记录", "行政处罚")
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
BRANCHES = ("第一分公司", "第二分公司", "渝北分公司", "江北分公司", "南岸分公司", "经营部")


def credit_code(rng: random.Random, region: str) -> str:
    """A valid 统一社会信用代码: 9 (工商) 1 (企业), region, organisation code, check char."""
    body = "91" + region + "".join(rng.choice(ORG_ALPHABET[:10]) for _ in range(8))
    body += rng.choice(ORG_ALPHABET)
    return body + uscc.calc_check_digit(body)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def target_rows(
    count: int, seed: int = 1, regions: tuple[str, ...] | None = None, flag_share: float = 0.04
) -> Iterator[list[str]]:
    """Rows of a targets file (without the heading row)."""
    rng = random.Random(seed)
    codes = regions or tuple(REGIONS)
    seen: set[str] = set()
    while len(seen) < count:
        region = rng.choice(codes)
        code = credit_code(rng, region)
        if code in seen:
            continue
        seen.add(code)
        name = REGIONS[region] + rng.choice(WORDS) + rng.choice(TRADES) + rng.choice(SUFFIXES)
        flags = rng.choice(FLAGS_ZH) if rng.random() < flag_share else ""
        yield [
            code,
            # some branches (分公司) of the same company: same name, their own credit code
            name + BRANCHES[len(seen) % len(BRANCHES)] if rng.random() < 0.3 else name,
            region,
            rng.choice(INDUSTRIES),
            rng.choice("ABBBCCD"),
            flags,
        ]


TARGET_HEADINGS = [
    "统一社会信用代码",
    "企业名称",
    "行政区划代码",
    "所属行业",
    "信用等级",
    "风险标记",
]
INSPECTOR_HEADINGS = [
    "姓名",
    "所属部门",
    "处室",
    "执法证号",
    "执法证有效期至",
    "工作证号",
    "专业领域",
]
EXPERT_HEADINGS = ["姓名", "专家编号", "专业领域", "工作单位"]
ITEM_HEADINGS = [
    "事项编码",
    "事项名称",
    "抽查内容",
    "抽查依据",
    "抽查方式",
    "抽查频次",
    "事项类别",
    "比例上限",
    "公开方式",
    "实施部门",
]


def inspector_rows(
    count: int,
    departments: tuple[str, ...],
    seed: int = 2,
    prefix: str = "执",
    expired_share: float = 0.1,
    work_id_only_share: float = 0.0,
) -> Iterator[list[str]]:
    rng = random.Random(seed)
    for n in range(1, count + 1):
        expiry = date(2028, 12, 31) - timedelta(days=rng.randrange(0, 700))
        if rng.random() < expired_share:
            expiry = date(2025, 6, 30)
        work_only = rng.random() < work_id_only_share
        yield [
            person_name(rng),
            departments[n % len(departments)],
            f"第{n % 3 + 1}处",
            "" if work_only else f"{prefix}{n:06d}",
            "" if work_only else expiry.isoformat(),
            f"GZ{n:05d}",
            rng.choice(("电信", "无线电", "工业节能", "安全生产", "软件")),
        ]


def expert_rows(count: int, seed: int = 3) -> Iterator[list[str]]:
    rng = random.Random(seed)
    for n in range(1, count + 1):
        yield [
            person_name(rng),
            f"ZJ{n:04d}",
            rng.choice(("通信工程", "电子", "化工", "机械")),
            rng.choice(("重庆大学", "中国信通院", "重庆邮电大学", "市计量院")),
        ]


def item_rows(categories: tuple[str, ...], department: str) -> list[list[str]]:
    """A realistic item list (随机抽查事项清单)."""
    key = categories[0]
    general = categories[-1]
    return [
        [
            "SX-001",
            "电信业务经营许可情况检查",
            "持证经营、年报、业务开展与许可一致性",
            "《中华人民共和国电信条例》第七条",
            "书面检查;现场检查",
            "每年1次",
            key,
            "",
            "公开",
            department,
        ],
        [
            "SX-002",
            "无线电台（站）设置使用情况检查",
            "执照、频率、技术参数",
            "《中华人民共和国无线电管理条例》",
            "现场检查;网络监测",
            "每年1次",
            general,
            "10%",
            "公开",
            department,
        ],
        [
            "SX-003",
            "重点用能单位节能监察",
            "能耗限额标准执行情况",
            "《中华人民共和国节约能源法》第五十四条",
            "书面检查;现场检查",
            "每年1次",
            key,
            "",
            "公开",
            department,
        ],
        [
            "SX-004",
            "民用爆炸物品生产安全检查",
            "安全生产条件",
            "《民用爆炸物品安全管理条例》",
            "现场检查",
            "每年2次",
            key,
            "",
            "定向通报",
            department,
        ],
        [
            "SX-005",
            "互联网信息服务备案核查",
            "备案信息真实性",
            "《互联网信息服务管理办法》",
            "书面检查;网络监测",
            "每年1次",
            general,
            "5%",
            "公开",
            department,
        ],
    ]


def to_csv(
    headings: list[str], rows: Iterator[list[str]] | list[list[str]], encoding: str = "utf-8-sig"
) -> bytes:
    """CSV bytes as a regulator's system exports them (UTF-8 with BOM by default, or GBK)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(neutralise_row(headings))
    writer.writerows(neutralise_row(row) for row in rows)
    return buf.getvalue().encode(encoding)
