//! The floor: cookie-seal's primitives with nothing around them (postcard,
//! HMAC-SHA256 or XChaCha20-Poly1305, base64url; no header, no checks). The
//! AEAD is the implementation the crate picks for the length: the
//! short-message composition (`support/short_aead.rs`) or `RustCrypto`'s.

use super::*;
use support::short_aead;

type HmacSha256 = Hmac<Sha256>;

const SEAL_KEY: [u8; 32] = [0x22; 32];

pub(crate) struct Floor {
    mac: HmacSha256,
    aead: XChaCha20Poly1305,
}

impl Floor {
    pub(crate) fn new() -> Floor {
        Floor {
            mac: HmacSha256::new_from_slice(&[0x11; 32]).expect("hmac key"),
            aead: XChaCha20Poly1305::new(&SEAL_KEY.into()),
        }
    }

    /// postcard || HMAC-SHA256 tag, base64url.
    pub(crate) fn sign<T: Serialize>(&self, value: &T) -> String {
        let mut raw = postcard::to_allocvec(value).expect("postcard");
        let tag = self.mac.clone().chain_update(&raw).finalize().into_bytes();
        raw.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(&raw)
    }

    pub(crate) fn verify<T: DeserializeOwned>(&self, token: &str) -> Option<T> {
        let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
        let (body, tag) = raw.split_at(raw.len().checked_sub(32)?);
        self.mac.clone().chain_update(body).verify_slice(tag).ok()?;
        postcard::from_bytes(body).ok()
    }

    /// nonce || XChaCha20-Poly1305(postcard) || tag, base64url; nonce from the OS.
    pub(crate) fn seal<T: Serialize>(&self, value: &T) -> String {
        let mut raw = Vec::with_capacity(256);
        raw.resize(24, 0);
        getrandom::fill(&mut raw[..24]).expect("getrandom");
        let mut raw = postcard::to_extend(value, raw).expect("postcard");
        if short_aead::crate_uses_short_path(raw.len() - 24) {
            let (nonce, body) = raw.split_at_mut(24);
            let nonce: &[u8; 24] = (&*nonce).try_into().expect("nonce");
            let tag = short_aead::seal(&SEAL_KEY, nonce, b"", body);
            raw.extend_from_slice(&tag);
            return URL_SAFE_NO_PAD.encode(&raw);
        }
        let (nonce, body) = raw.split_at_mut(24);
        let tag = self
            .aead
            .encrypt_inout_detached(
                &XNonce::try_from(&nonce[..]).expect("nonce"),
                b"",
                body.into(),
            )
            .expect("encrypt");
        raw.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(&raw)
    }

    pub(crate) fn open<T: DeserializeOwned>(&self, token: &str) -> Option<T> {
        let mut raw = URL_SAFE_NO_PAD.decode(token).ok()?;
        let body_len = raw.len().checked_sub(24 + 16)?;
        if short_aead::crate_uses_short_path(body_len) {
            let (nonce, rest) = raw.split_at_mut(24);
            let (body, tag) = rest.split_at_mut(body_len);
            let nonce: &[u8; 24] = (&*nonce).try_into().ok()?;
            if !short_aead::open(&SEAL_KEY, nonce, b"", body, tag) {
                return None;
            }
            return postcard::from_bytes(body).ok();
        }
        let tag_at = raw.len().checked_sub(16)?;
        let (rest, tag) = raw.split_at_mut(tag_at);
        let (nonce, body) = rest.split_at_mut(24.min(rest.len()));
        self.aead
            .decrypt_inout_detached(
                &XNonce::try_from(&nonce[..]).ok()?,
                b"",
                body.into(),
                &Tag::try_from(&tag[..]).ok()?,
            )
            .ok()?;
        postcard::from_bytes(body).ok()
    }
}
