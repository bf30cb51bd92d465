"""Reports over the whole base: the health report (:mod:`kbctl.report.model`) and the
owners' digests (:mod:`kbctl.report.digest`). Pure: built from the workspace's facts."""
