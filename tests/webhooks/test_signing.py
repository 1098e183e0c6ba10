"""Signatures: the Standard Webhooks scheme and the hex HMAC of Discourse and Coral."""
import base64
import hashlib
import hmac

import pytest

from webhooks.signing import (
    SignatureInvalid, hex_hmac, sha256_header_verify, standard_headers, standard_secret_generate, standard_sign,
    standard_verify,
)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_a_standard_signature_is_the_base64_hmac_of_id_timestamp_and_body():
    body = b'{"test": 2432232314}'
    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    expected = base64.b64encode(hmac.new(key, b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330." + body, hashlib.sha256).digest())
    assert standard_sign(secret=SECRET, msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265330, body=body) == (
        "v1," + expected.decode())


def test_the_standard_webhooks_specification_example_verifies():
    # The example in the Standard Webhooks specification (and its reference libraries' tests).
    standard_verify(
        secrets_=[SECRET], msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp="1614265330",
        signature_header="v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", body=b'{"test": 2432232314}',
        tolerance=300, now=1614265330,
    )


def verify(headers, body, secrets, **kwargs):
    standard_verify(secrets_=secrets, msg_id=headers["webhook-id"], timestamp=headers["webhook-timestamp"],
                    signature_header=headers["webhook-signature"], body=body, tolerance=300, **kwargs)


def test_any_of_several_space_separated_signatures_verifies():
    old, new = standard_secret_generate(), standard_secret_generate()
    headers = standard_headers(secrets_=[old, new], msg_id="m", body=b"{}")
    verify(headers, b"{}", [new])
    verify(headers, b"{}", [old])
    with pytest.raises(SignatureInvalid):
        verify(headers, b"{}", [standard_secret_generate()])


@pytest.mark.parametrize("change", ["body", "id", "timestamp"])
def test_changing_anything_signed_breaks_the_signature(change):
    headers = standard_headers(secrets_=[SECRET], msg_id="m1", body=b"{}", timestamp=1000)
    body = b"{ }" if change == "body" else b"{}"
    if change == "id":
        headers["webhook-id"] = "m2"
    if change == "timestamp":
        headers["webhook-timestamp"] = "1001"
    with pytest.raises(SignatureInvalid):
        verify(headers, body, [SECRET], now=1000)


@pytest.mark.parametrize("timestamp", ["", "soon", "1e9", "-"])
def test_a_timestamp_that_is_not_whole_seconds_is_refused(timestamp):
    with pytest.raises(SignatureInvalid):
        standard_verify(secrets_=[SECRET], msg_id="m", timestamp=timestamp, signature_header="v1,x", body=b"",
                        tolerance=300)


def test_a_hex_signature_verifies_and_a_wrong_one_does_not():
    body = b'{"post": {}}'
    good = f"sha256={hex_hmac(secret='s3cret', body=body)}"
    sha256_header_verify(secrets_=["s3cret"], header=good, body=body)
    sha256_header_verify(secrets_=["s3cret"], header=f"sha256=deadbeef,{good}", body=body)
    for bad in ("", "sha256=", good.upper(), good.replace("sha256", "sha1"), f"sha256={hex_hmac(secret='other', body=body)}"):
        with pytest.raises(SignatureInvalid):
            sha256_header_verify(secrets_=["s3cret"], header=bad, body=body)
