"""The demo tenants' organisation trees (docs/organisations.md).

Codes are the department names the demo's tasks, inspectors and accounts already use, so
those refer to units without a migration of their text.
"""

from __future__ import annotations

from shuangsuiji.kernel.orgtree import Unit

TREES: dict[str, tuple[Unit, ...]] = {
    # MIIT: 司局 and their 处室 (第十条第二款), a subordinate authority (第八条第二款)
    "miit": (
        Unit("信息通信管理局", "信息通信管理局", "department"),
        Unit("安全生产处", "安全生产处", "division", "信息通信管理局"),
        Unit("电子信息处", "电子信息处", "division", "信息通信管理局"),
        Unit("省通信管理局", "省通信管理局", "subordinate", "信息通信管理局"),
        Unit("电子信息司", "电子信息司", "department"),
        Unit("电子信息司综合处", "综合处", "division", "电子信息司"),
    ),
    # Chongqing: 综合执法处 with the 业务处室 (第四条, 第六条)
    "chongqing": (
        Unit("重庆市经济和信息化委员会", "重庆市经济和信息化委员会", "department"),
        Unit("综合执法处", "综合执法处", "enforcement", "重庆市经济和信息化委员会"),
        Unit("安全生产处", "安全生产处", "division", "重庆市经济和信息化委员会"),
        Unit("电子信息处", "电子信息处", "division", "重庆市经济和信息化委员会"),
    ),
    # a district's units
    "yuzhong": (
        Unit("渝中区经济和信息化委员会", "渝中区经济和信息化委员会", "department"),
        Unit("综合执法科", "综合执法科", "enforcement", "渝中区经济和信息化委员会"),
        Unit("安全生产处", "安全生产科", "division", "渝中区经济和信息化委员会"),
        Unit("电子信息处", "电子信息科", "division", "渝中区经济和信息化委员会"),
    ),
    # its sibling district, Yuzhong's partner in a joint task
    "jiangbei": (
        Unit("江北区经济和信息化委员会", "江北区经济和信息化委员会", "department"),
        Unit("综合执法科", "综合执法科", "enforcement", "江北区经济和信息化委员会"),
        Unit("安全生产处", "安全生产科", "division", "江北区经济和信息化委员会"),
        Unit("电子信息处", "电子信息科", "division", "江北区经济和信息化委员会"),
    ),
    # the example province: the department's divisions and a city bureau below it
    "example": (
        Unit("示例省工业和信息化厅", "示例省工业和信息化厅", "department"),
        Unit("执法监督处", "执法监督处", "enforcement", "示例省工业和信息化厅"),
        Unit("安全生产处", "安全生产处", "division", "示例省工业和信息化厅"),
        Unit("电子信息处", "电子信息处", "division", "示例省工业和信息化厅"),
        Unit("示例市工业和信息化局", "示例市工业和信息化局", "subordinate",
             "示例省工业和信息化厅"),
    ),
}
