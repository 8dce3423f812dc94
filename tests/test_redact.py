"""Secrets come out of API logs, whatever shape the integration logged them in."""

import pytest

from portal.redact import REMOVED, holds_known_secret, redact_secrets, remove_known_secrets

GELATO_KEY = (
    "3f9c2a71-8d4e-4b6a-9c1f-2e7d5a0b8c34-6a1e9f02-77b3-4d5c-a8e2-0f4b6c9d1e23"
    ":a0c41f3e-95d2-4c7b-b8e6-1d2f3a4b5c6d"
)
HELP_CENTER_TOKEN = "ghc_" + "Q" * 20 + "-_" + "7" * 21  # the shape tokens have
SHOPIFY_TOKEN = "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"
ORDER_BODY = (
    '{"orderReferenceId":"SHOP-10482","customerReferenceId":"CUST-2231","currency":"EUR",'
    '"items":[{"itemReferenceId":"SHOP-10482-1","productUid":"apparel_product_gca_t-shirt_gsc_'
    'crewneck_gcu_unisex_gqa_classic_gsi_m_gco_white_gpr_4-4","quantity":1,"files":[{"type":'
    '"default","url":"https://cdn.shop.example/designs/9931.png"}]}],"shippingAddress":{'
    '"firstName":"Paul","lastName":"Smith","addressLine1":"Unter den Linden 5","city":"Berlin",'
    '"postCode":"1011","country":"DE","email":"paul@example.com"},"metadata":[{"key":'
    f'"shopifyAccessToken","value":"{SHOPIFY_TOKEN}"}}]}}'
)
RESPONSE_BODY = (
    '{"code":"INVALID_ADDRESS","message":"Address validation failed: postCode 1011 is invalid '
    'for DE","requestId":"5c0d7e3a-1f2b-4c6d-9e8f-0a1b2c3d4e5f"}'
)

# What an integration's HTTP client logs for a refused order, request then response.
FAILED_CREATE_LOG = f"""\
2025-03-14T09:21:07.412Z INFO shop-sync --> POST https://order.gelatoapis.com/v4/orders
Content-Type: application/json
X-API-KEY: {GELATO_KEY}
User-Agent: shop-sync/2.4.1

{ORDER_BODY}

2025-03-14T09:21:07.824Z INFO shop-sync <-- 400 Bad Request (412 ms)
content-type: application/json
x-request-id: 5c0d7e3a-1f2b-4c6d-9e8f-0a1b2c3d4e5f
set-cookie: __cf_bm=Xy1.abc-1710408067-0-AbCdEf; path=/; HttpOnly

{RESPONSE_BODY}
"""


def test_a_failed_create_keeps_everything_gelato_needs_and_loses_both_secrets():
    clean, findings = redact_secrets(FAILED_CREATE_LOG)
    assert GELATO_KEY not in clean
    assert SHOPIFY_TOKEN not in clean
    assert "X-API-KEY: [removed]" in clean  # the placeholder the knowledge base shows
    assert '"key":"shopifyAccessToken","value":"[removed]"' in clean
    assert "__cf_bm" not in clean
    # What Gelato needs to find the cause stays as it was.
    for kept in (
        "POST https://order.gelatoapis.com/v4/orders",
        '"orderReferenceId":"SHOP-10482"',
        '"customerReferenceId":"CUST-2231"',
        '"postCode":"1011"',
        "400 Bad Request",
        RESPONSE_BODY,
        "x-request-id: 5c0d7e3a-1f2b-4c6d-9e8f-0a1b2c3d4e5f",
    ):
        assert kept in clean
    assert [str(f) for f in findings] == [
        "X-API-KEY header (line 3)",
        'metadata "shopifyAccessToken" value (line 6)',
        "cookie (line 11)",
    ]


def test_redacting_twice_changes_nothing():
    once, _ = redact_secrets(FAILED_CREATE_LOG)
    twice, findings = redact_secrets(once)
    assert twice == once
    assert findings == []


@pytest.mark.parametrize(
    ("log", "secret", "kind"),
    [
        (
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzaG9wIn0.c2lnbmF0dXJl",
            "eyJ",
            "Authorization",
        ),
        ("authorization: Basic c2hvcDpodW50ZXIy", "c2hvcDpodW50ZXIy", "Authorization"),
        (
            "curl -X POST https://order.gelatoapis.com/v4/orders -H 'X-API-KEY: live-key-1234567' "
            "-H 'Content-Type: application/json' -d @order.json",
            "live-key-1234567",
            "X-API-KEY",
        ),
        ("GET /v4/orders?api_key=abcd1234efgh5678&limit=5", "abcd1234efgh5678", "api_key"),
        ("GELATO_API_KEY=abcd1234efgh5678 python sync.py", "abcd1234efgh5678", "GELATO_API_KEY"),
        ('{"password": "p@ss w0rd!", "user": "shop"}', "p@ss w0rd!", "password"),
        ("{'apiKey': 'k-99887766', 'retries': 3}", "k-99887766", "apiKey"),
        ('{"access_token": "at-5566778899"}', "at-5566778899", "access_token"),
        ('{"client_secret": "cs-11223344"}', "cs-11223344", "client_secret"),
        ("password: hunter2hunter2", "hunter2hunter2", "password"),
        ("DATABASE_URL=postgres://shop:hunter2secret@db.internal/shop", "hunter2secret", "URL"),
        ("token sk_live_51HqLyjWDarjtT1zdp7dc", "sk_live_51HqLyjWDarjtT1zdp7dc", "Stripe"),
        (f"our sync used {HELP_CENTER_TOKEN} then", HELP_CENTER_TOKEN, "API token of this help"),
        (f"the key is {GELATO_KEY} in the config", GELATO_KEY, "Gelato API key"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----",
            "MIIEowIBAAKCAQEA",
            "private key",
        ),
    ],
)
def test_every_common_shape_of_credential_is_removed(log, secret, kind):
    clean, findings = redact_secrets(log)
    assert secret not in clean
    assert REMOVED in clean
    assert any(kind.lower() in finding.kind.lower() for finding in findings), findings


def test_the_help_centers_own_key_is_removed_wherever_it_stands():
    key = "my-configured-key-0042"
    clean, findings = redact_secrets(f"retrying with{key}now", known_secrets=[key, None, ""])
    assert clean == "retrying with[removed]now"
    assert findings[0].kind == "the help center's Gelato API key"


def test_ordinary_values_are_left_alone():
    log = (
        '{"orderReferenceId": "SHOP-1", "customerReferenceId": "C-1", "keyword": "mug", '
        '"tokenized": false, "productUid": "mug_product_msz_11-oz"}\n'
        "Address validation failed: the token of the street is unknown\n"
        "shipmentMethodUid=normal&country=DE"
    )
    clean, findings = redact_secrets(log)
    assert clean == log
    assert findings == []


def test_line_numbers_count_in_the_cleaned_text():
    log = (
        "first\n-----BEGIN PRIVATE KEY-----\na\nb\n-----END PRIVATE KEY-----\nX-API-KEY: abc123456"
    )
    clean, findings = redact_secrets(log)
    lines = clean.splitlines()
    assert [str(f) for f in findings] == ["a private key (line 2)", "X-API-KEY header (line 3)"]
    assert lines[1] == "[removed]"
    assert lines[2] == "X-API-KEY: [removed]"


def test_each_known_secret_is_named_and_taken_out_in_every_shape():
    known = {"the help center's SMTP password": "p@ss:word/1", "the secret key": "k" * 40}
    text = 'url=smtp://a:p%40ss%3Aword%2F1@h {"pw": "p@ss:word/1"} k' + "k" * 40
    clean, findings = redact_secrets(text, known)
    assert "p@ss" not in clean
    assert "p%40ss" not in clean
    assert "k" * 40 not in clean
    assert {f.kind for f in findings} >= {"the help center's SMTP password", "the secret key"}


def test_a_short_known_secret_goes_only_where_it_is_a_word_of_its_own():
    clean, findings = redact_secrets("pw is hunt2, not hunt2er", {"the password": "hunt2"})
    assert clean == "pw is [removed], not hunt2er"
    assert [f.kind for f in findings] == ["the password"]


def test_a_file_is_told_to_hold_a_known_secret_in_utf8_or_utf16():
    known = {"the key": "abcdefgh-1234"}
    assert holds_known_secret(b"%PDF (abcdefgh-1234)", known) == "the key"
    assert holds_known_secret("x abcdefgh-1234".encode("utf-16-le"), known) == "the key"
    assert holds_known_secret(b"nothing here", known) is None


def test_composed_text_loses_known_secrets_and_nothing_else():
    text = "Password: visible-but-not-known and abcdefgh-1234"
    assert remove_known_secrets(text, ["abcdefgh-1234"]) == (
        "Password: visible-but-not-known and [removed]"
    )
