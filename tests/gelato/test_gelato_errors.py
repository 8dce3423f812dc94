"""What each Gelato error tells whoever it stops: the page's status, the audit outcome, and
whether trying again later is safe."""

import inspect

import pytest

from portal.gelato import errors

#: kind: (http_status, audit_outcome, retry_safe)
EXPECTED = {
    errors.GelatoError: (502, "failed", False),
    errors.OrderNotFound: (404, "refused", False),
    errors.NotAllowedInState: (409, "refused", False),
    errors.NotCancellable: (409, "refused", False),
    errors.InvalidRequest: (422, "refused", False),
    errors.Unauthorized: (502, "failed", False),
    errors.RateLimited: (503, "failed", True),
    errors.GelatoUnavailable: (503, "failed", True),
    errors.UnexpectedResponse: (502, "failed", False),
}


def test_every_kind_of_error_is_decided():
    kinds = {
        value
        for value in vars(errors).values()
        if inspect.isclass(value) and issubclass(value, errors.GelatoError)
    }
    assert kinds == set(EXPECTED)


@pytest.mark.parametrize(
    ("kind", "facts"), EXPECTED.items(), ids=lambda v: getattr(v, "__name__", "")
)
def test_each_kind_carries_its_status_outcome_and_retry_safety(kind, facts):
    assert (kind.http_status, kind.audit_outcome, kind.retry_safe) == facts


def test_the_client_raises_a_refusal_gelato_sends_as_a_refusal(gelato, demo_id):
    with pytest.raises(errors.NotCancellable) as caught:
        gelato.cancel_order(demo_id("NW-1005"))  # in production
    assert (caught.value.http_status, caught.value.audit_outcome) == (409, "refused")
    assert not caught.value.retry_safe


def test_an_unreachable_gelato_is_safe_to_try_again(gelato, sandbox, order_path):
    sandbox.fail_with(503, times=None, path=order_path)
    with pytest.raises(errors.GelatoError) as caught:
        gelato.get_order(order_path.rsplit("/", 1)[1])
    assert (caught.value.http_status, caught.value.audit_outcome) == (503, "failed")
    assert caught.value.retry_safe
