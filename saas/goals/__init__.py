"""Kaohe's goals (目标管理): measures, attainment and the roll-up of a cascaded tree of goals."""
