"""Every action the audit log records, with the label its filters show.

Each part of the portal names its own actions (an order action's ``audit_name``, the request
builder's, the accounts' and the API's in ``portal.audit``); here they are put together once,
below the web layer, so the admin pages, the API's audit endpoint and the recorder, which
refuses any other name, read the same list.
"""

from __future__ import annotations

from portal import audit
from portal.orders import rules
from portal.requests import drafts

AUDIT_ACTIONS = {
    **{action.audit_name: action.title for action in rules.ACTIONS if action.audit_name},
    **drafts.AUDIT_ACTIONS,
    **audit.ACCOUNT_ACTIONS,
    **audit.API_ACTIONS,
}
