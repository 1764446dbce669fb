//! Independent forgers of signed and sealed tokens, written from FORMAT.md
//! alone, and the check that they agree with the codec.

use super::*;

/// A v1 signed header: version, flags, key ID, issue time (FORMAT.md section 2).
pub(crate) fn header(flags: u8, key_id: u32, issued_at: u64) -> Vec<u8> {
    let mut h = vec![1, flags];
    varint(key_id.into(), &mut h);
    varint(issued_at, &mut h);
    h
}

/// Signs `header || body` as FORMAT.md specifies, with the default purpose
/// (in the subkey's HKDF `info`) and no context (so no context block).
pub(crate) fn forge_signed(header: &[u8], body: &[u8]) -> String {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(None, &MASTER);
    let mut info = Vec::new();
    for part in [&b"cookie-seal/v1 hmac-sha256"[..], b"session"] {
        info.extend_from_slice(&(part.len() as u64).to_le_bytes());
        info.extend_from_slice(part);
    }
    let mut subkey = [0u8; 32];
    hk.expand(&info, &mut subkey).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&subkey).unwrap();
    mac.update(header);
    mac.update(body);
    let mut raw = [header, body].concat();
    raw.extend_from_slice(&mac.finalize().into_bytes());
    URL_SAFE_NO_PAD.encode(raw)
}

/// Seals `plaintext` (sealed metadata, then payload) as FORMAT.md specifies
/// under key ID 1 with `master`, default purpose, no context.
pub(crate) fn forge_sealed(master: &[u8], plaintext: &[u8]) -> String {
    use chacha20poly1305::aead::{Aead, KeyInit as _, Payload};
    let mut info = Vec::new();
    for part in [&b"cookie-seal/v1 xchacha20poly1305"[..], b"session"] {
        info.extend_from_slice(&(part.len() as u64).to_le_bytes());
        info.extend_from_slice(part);
    }
    let mut subkey = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(None, master)
        .expand(&info, &mut subkey)
        .unwrap();
    let header = [1, 0b10, 1];
    let nonce = [0x33; 24];
    let sealed = chacha20poly1305::XChaCha20Poly1305::new_from_slice(&subkey)
        .unwrap()
        .encrypt(
            &chacha20poly1305::XNonce::from(nonce),
            Payload {
                msg: plaintext,
                aad: &header,
            },
        )
        .unwrap();
    URL_SAFE_NO_PAD.encode([&header[..], &nonce, &sealed].concat())
}

/// Sealed metadata with the PADDED flag and `padding` as the padding field.
pub(crate) fn padded_plaintext(padding: &[u8]) -> Vec<u8> {
    let mut plaintext = vec![0x20];
    varint(T0, &mut plaintext);
    plaintext.extend_from_slice(padding);
    plaintext.extend_from_slice(&postcard::to_allocvec(&session()).unwrap());
    plaintext
}

#[test]
fn the_forger_agrees_with_the_codec() {
    // Otherwise the authentic-payload tests below would prove nothing.
    let body = postcard::to_allocvec(&session()).unwrap();
    let token = forge_signed(&header(0x01, 1, T0), &body);
    assert_eq!(
        Codec::signed(ring()).encode_at(&session(), at(T0)).unwrap(),
        token
    );
    assert_eq!(decode(&Codec::signed(ring()), &token), Ok(session()));
}
