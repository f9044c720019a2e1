//! `X-Husky-Signature`: the hex HMAC-SHA256 of the body keyed with the endpoint's secret.
//! RustCrypto's `hmac` computes it and `Mac::verify_slice` compares it in constant time;
//! nothing here is home-made cryptography.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::Rejection;

pub const SIGNATURE_HEADER: &str = "X-Husky-Signature";

/// An HMAC-SHA256 is 32 bytes, 64 hex digits.
const SIGNATURE_LEN: usize = 32;

fn malformed(what: &str) -> Rejection {
    Rejection::MalformedSignature {
        message: format!(
            "{SIGNATURE_HEADER} {what}. HuskyVoice sends 64 hex digits (the HMAC-SHA256 of the body), optionally after sha256=; check that a proxy in between does not rewrite the header."
        ),
    }
}

/// The signature bytes a header carries: hex in either case, optionally after `sha256=` (as
/// GitHub sends it), surrounding spaces ignored. The digits are never quoted back.
pub fn parse_signature(header: Option<&str>) -> Result<[u8; SIGNATURE_LEN], Rejection> {
    let value = header.map(str::trim).unwrap_or("");
    if value.is_empty() {
        return Err(Rejection::MissingSignature {
            message: format!(
                "The request has no {SIGNATURE_HEADER} header, so it cannot be from HuskyVoice. Requests not sent by HuskyVoice are refused."
            ),
        });
    }
    let digits = match value.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("sha256=") => value.get(7..).unwrap_or(""),
        _ => value,
    };
    if let Some(at) = digits.bytes().position(|b| !b.is_ascii_hexdigit()) {
        return Err(malformed(&format!(
            "is not hex (character {} is not 0-9 or a-f)",
            at + 1
        )));
    }
    if digits.len() != SIGNATURE_LEN * 2 {
        return Err(malformed(&format!(
            "has {} hex digits instead of {}",
            digits.len(),
            SIGNATURE_LEN * 2
        )));
    }
    let mut bytes = [0u8; SIGNATURE_LEN];
    hex::decode_to_slice(digits, &mut bytes).map_err(|_| malformed("is not hex"))?;
    Ok(bytes)
}

/// HMAC takes a key of any length (RFC 2104): `hmac` never refuses one, but its API says it
/// may, and a refusal is handled as a mismatch rather than a panic.
fn mac(secret: &[u8], body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).ok()?;
    mac.update(body);
    Some(mac)
}

/// Constant-time check of `expected` against the body's HMAC.
pub(super) fn verify(
    secret: &[u8],
    body: &[u8],
    expected: &[u8; SIGNATURE_LEN],
) -> Result<(), Rejection> {
    mac(secret, body)
        .and_then(|mac| mac.verify_slice(expected).ok())
        .ok_or_else(mismatch)
}

pub(super) fn mismatch() -> Rejection {
    Rejection::WrongSignature {
        message: format!(
            "{SIGNATURE_HEADER} does not match the body. Either the request is not from HuskyVoice, the body was changed on the way, or the secret set here is not the endpoint's (copy it again from Integrations › Outbound Webhooks)."
        ),
    }
}

/// The header value HuskyVoice would send for `body`: lowercase hex. For the sandbox's sender
/// and for tests.
pub fn sign(secret: &str, body: &[u8]) -> String {
    mac(secret.trim().as_bytes(), body)
        .map(|mac| hex::encode(mac.finalize().into_bytes()))
        .unwrap_or_default()
}
