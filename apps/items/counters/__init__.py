"""Rollup counters of the items: the tables (`models`) and the one write path that keeps them (`writes`).

They belong to the items they count: every item service changes them in its own transaction. The
dashboards and reports only read them.
"""
