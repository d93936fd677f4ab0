"""The columns of each directory file: headings (Chinese and English), readers, keys.

docs/imports.md is the user's version of this module; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from shuangsuiji.canonical import normalise
from shuangsuiji.rules import ItemCategory
from shuangsuiji.services import import_fields as f


@dataclass(frozen=True)
class Column:
    """One column: the stored ``field``, its headings, how a cell is read.

    ``zh`` is the heading exports write in Chinese, ``field`` the English one; ``aliases`` are
    further headings accepted on import. ``required``: the column must be present and every
    cell filled. ``empty`` is stored for an empty cell. ``read`` None means plain text.
    """

    field: str
    zh: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    empty: object = ""
    read: f.Reader | None = None
    stored: bool = True  # False: not a column of the entity's table (risk flags)
    # For a key column: a smaller value that identifies the read value as well, remembered
    # (for duplicates in the file) in place of the value itself
    compact: Callable[[object], object] | None = None

    def headings(self) -> tuple[str, ...]:
        return (self.field, self.zh, *self.aliases)


@dataclass(frozen=True)
class Schema:
    """The columns of one kind of file and how its rows are matched to stored rows.

    ``keys``: fields that identify a row, tried in order on re-import (an inspector by
    certificate number, else by work ID). ``one_of``: at least one of these columns must be
    present, and in every row at least one of them filled.
    """

    kind: str
    entity_zh: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...]
    one_of: tuple[str, ...] = field(default=())

    @property
    def required_key(self) -> bool:
        """One key column, always filled (targets, items): rows can be sorted by it alone."""
        return len(self.keys) == 1 and self.column(self.keys[0]).required

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)


def heading_key(heading: str) -> str:
    """How a heading is compared: NFC, trimmed, lower case, ``*`` (required marks), spaces
    and hyphens dropped or made underscores."""
    key = normalise(heading).replace("*", "").replace("＊", "").strip().lower()
    return key.replace(" ", "_").replace("-", "_")


TARGETS = Schema(
    kind="targets",
    entity_zh="检查对象",
    keys=("credit_code",),
    columns=(
        Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码", "uscc"),
               required=True, read=f.credit_code, compact=f.credit_code_key),
        Column("name", "企业名称", ("市场主体名称", "单位名称", "名称", "主体名称"),
               required=True),
        Column("region_code", "行政区划代码", ("区划代码", "行政区划")),
        Column("industry", "所属行业", ("行业", "行业类别")),
        Column("credit_rating", "信用等级", ("信用评级", "信用风险等级")),
        Column("address", "住所", ("地址", "注册地址", "经营场所")),
        Column("legal_representative", "法定代表人", ("法定代表人（负责人）", "负责人"),
               empty=None),
        Column("risk_flags", "风险标记", ("风险标识",), empty=(), read=f.risk_flags,
               stored=False),
    ),
)

INSPECTORS = Schema(
    kind="inspectors",
    entity_zh="执法检查人员",
    keys=("certificate_no", "work_id"),
    one_of=("certificate_no", "work_id"),
    columns=(
        Column("name", "姓名", ("人员姓名",), required=True),
        Column("department", "所属部门", ("部门", "职能司局", "司局")),
        Column("division", "处室", ("所属处室",)),
        Column("region", "所属地区", ("地区", "区域")),
        Column("expertise", "专业领域", ("专业", "业务专长")),
        Column("subordinate", "下级主管部门", ("是否下级主管部门",), empty=False,
               read=f.boolean),
        Column("certificate_no", "执法证号", ("执法证件号", "执法证编号", "执法证件号码"),
               empty=None),
        Column("certificate_expiry", "执法证有效期至", ("执法证有效期", "有效期至"),
               empty=None, read=f.a_date),
        Column("work_id", "工作证号", ("工作证编号",), empty=None),
    ),
)

EXPERTS = Schema(
    kind="experts",
    entity_zh="专家",
    keys=("expert_code", "id_number"),
    one_of=("expert_code", "id_number"),
    columns=(
        Column("name", "姓名", ("专家姓名",), required=True),
        Column("expert_code", "专家编号", ("专家编码",), empty=None),
        Column("id_number", "身份证号", ("身份证号码", "证件号码"), empty=None),
        Column("expertise", "专业领域", ("专业", "专长")),
        Column("organisation", "工作单位", ("单位", "所在单位")),
        Column("phone", "联系电话", ("电话", "手机"), empty=None),
    ),
)


def items_schema(categories: Sequence[ItemCategory] | None = None) -> Schema:
    """The item-list columns; ``categories`` (the tenant's pack) limit 事项类别."""
    return Schema(
        kind="items",
        entity_zh="抽查事项",
        keys=("code",),
        columns=(
            Column("code", "事项编码", ("编码", "事项编号", "序号编码"), required=True),
            Column("name", "事项名称", ("抽查事项", "抽查事项名称"), required=True),
            Column("content", "抽查内容", ("检查内容",)),
            Column("legal_basis", "抽查依据", ("检查依据", "法律依据")),
            Column("subject", "抽查对象", ("检查对象",)),
            Column("methods", "抽查方式", ("检查方式",), empty=[], read=f.methods),
            Column("frequency", "抽查频次", ("检查频次",)),
            Column("category", "事项类别", ("类别",), empty="general",
                   read=f.category_reader(categories)),
            Column("cap_permille", "比例上限", ("抽查比例上限", "cap"), empty=None, read=f.cap),
            Column("batch_order_min_permille", "批次顺序比例", ("高比例阈值", "批次顺序起始比例"),
                   empty=None, read=f.cap),
            Column("publication_mode", "公开方式", ("结果公开方式",), empty="public",
                   read=f.publication_mode),
            Column("departments", "实施部门", ("实施主体", "责任部门"), empty=[],
                   read=f.text_list),
        ),
    )


SCHEMAS: dict[str, Schema] = {
    "targets": TARGETS,
    "inspectors": INSPECTORS,
    "experts": EXPERTS,
    "items": items_schema(),
}
