"""``python -m shuangsuiji.cli``: the same as ``ssj``."""

from shuangsuiji.cli import main

main()
