"""The cloud SMS providers' request signatures, written here from their
documentation and independently of the plugin's C++, for http_peer.py.

Alibaba Cloud, "V3 request signature" (ACS3-HMAC-SHA256):
  CanonicalRequest = Method \\n URI \\n CanonicalQueryString \\n
                     CanonicalHeaders \\n SignedHeaders \\n HashedRequestPayload
  where the query's names and values are RFC 3986 percent-encoded and sorted
  by name, the canonical headers are host, content-type and every x-acs-*
  header as lower-case "name:trimmed value\\n" sorted by name, and the payload
  hash is x-acs-content-sha256 (hex SHA-256 of the body);
  StringToSign = "ACS3-HMAC-SHA256\\n" + hex(SHA256(CanonicalRequest));
  Signature = hex(HMAC-SHA256(AccessKeySecret, StringToSign));
  Authorization: ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<..>,Signature=<..>

Tencent Cloud, "Signature v3" (TC3-HMAC-SHA256):
  CanonicalRequest as above with the signed headers' names and values in
  lower case and the hex SHA-256 of the body; CredentialScope =
  <UTC date of X-TC-Timestamp>/<service>/tc3_request;
  StringToSign = "TC3-HMAC-SHA256\\n" + timestamp + "\\n" + CredentialScope +
                 "\\n" + hex(SHA256(CanonicalRequest));
  SecretDate = HMAC("TC3" + SecretKey, date); SecretService = HMAC(SecretDate,
  service); SecretSigning = HMAC(SecretService, "tc3_request");
  Signature = hex(HMAC(SecretSigning, StringToSign));
  Authorization: TC3-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=<..>, Signature=<..>
"""
import datetime
import hashlib
import hmac
import re
import urllib.parse


def sha256_hex(data):
    return hashlib.sha256(data.encode()).hexdigest()


def hmac_raw(key, data):
    return hmac.new(key, data.encode(), hashlib.sha256).digest()


def canonical_request(method, path, query, headers, names, payload_hash):
    canonical_headers = "".join("%s:%s\n" % (n, headers[n]) for n in names)
    return "\n".join([method, path, query, canonical_headers, ";".join(names), payload_hash])


def authorization_fields(value, algorithm):
    if not value.startswith(algorithm + " "):
        return None
    fields = {}
    for part in re.split(r",\s*", value[len(algorithm) + 1:]):
        key, _, val = part.partition("=")
        fields[key] = val
    return fields


def verify_aliyun(secret, method, path, raw_query, headers, body):
    auth = authorization_fields(headers.get("authorization", ""), "ACS3-HMAC-SHA256")
    if auth is None:
        return None
    if headers.get("x-acs-content-sha256") != sha256_hex(body):
        return False
    names = auth.get("SignedHeaders", "").split(";")
    must = {"host"} | {n for n in headers if n.startswith("x-acs-")}
    if not must <= set(names) or names != sorted(names):
        return False
    pairs = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
    enc = lambda s: urllib.parse.quote(s, safe="-_.~")
    query = "&".join("%s=%s" % (enc(k), enc(v)) for k, v in sorted(pairs))
    values = {n: headers.get(n, "").strip() for n in names}
    request = canonical_request(method, path, query, values, names, headers["x-acs-content-sha256"])
    want = hmac.new(secret.encode(), ("ACS3-HMAC-SHA256\n" + sha256_hex(request)).encode(),
                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, auth.get("Signature", ""))


def verify_tencent(secret, method, path, raw_query, headers, body):
    auth = authorization_fields(headers.get("authorization", ""), "TC3-HMAC-SHA256")
    if auth is None:
        return None
    timestamp = headers.get("x-tc-timestamp", "")
    if not timestamp.isdigit():
        return False
    date = datetime.datetime.fromtimestamp(int(timestamp), datetime.timezone.utc).strftime("%Y-%m-%d")
    key_id, _, scope = auth.get("Credential", "").partition("/")
    scope_date, service, terminator = (scope.split("/") + ["", "", ""])[:3]
    if scope_date != date or terminator != "tc3_request" or not key_id:
        return False
    names = auth.get("SignedHeaders", "").split(";")
    if not {"content-type", "host"} <= set(names):
        return False
    values = {n: headers.get(n, "").strip().lower() for n in names}
    request = canonical_request(method, path, raw_query, values, names, sha256_hex(body))
    to_sign = "\n".join(["TC3-HMAC-SHA256", timestamp, scope, sha256_hex(request)])
    k = hmac_raw(("TC3" + secret).encode(), scope_date)
    k = hmac_raw(k, service)
    k = hmac_raw(k, "tc3_request")
    want = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, auth.get("Signature", ""))


# What each provider answers a request whose signature does not verify.
REFUSALS = {
    "aliyun": (400, '{"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation.", "RequestId": "peer"}'),
    "tencent": (200, '{"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "The provided credentials could not be validated."}, "RequestId": "peer"}}'),
}
