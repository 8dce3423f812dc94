"""Support requests: what Gelato needs in each situation, each kind of answer, the completeness
check, the email, the drafts and their sending. Plain Python: the pages are in ``portal.web``."""
