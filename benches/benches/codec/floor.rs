//! The floor: cookie-seal's primitives with nothing around them (postcard,
//! HMAC-SHA256 or XChaCha20-Poly1305, base64url; no header, no checks). The
//! AEAD is the crate's: HChaCha20 and ring's ChaCha20-Poly1305
//! (`support/xchacha_ring.rs`).

use super::*;
use support::xchacha_ring;

type HmacSha256 = Hmac<Sha256>;

const SEAL_KEY: [u8; 32] = [0x22; 32];

pub(crate) struct Floor {
    mac: HmacSha256,
}

impl Floor {
    pub(crate) fn new() -> Floor {
        Floor {
            mac: HmacSha256::new_from_slice(&[0x11; 32]).expect("hmac key"),
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
        let (nonce, body) = raw.split_at_mut(24);
        let nonce: &[u8; 24] = (&*nonce).try_into().expect("nonce");
        let tag = xchacha_ring::seal(&SEAL_KEY, nonce, b"", body);
        raw.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(&raw)
    }

    pub(crate) fn open<T: DeserializeOwned>(&self, token: &str) -> Option<T> {
        let mut raw = URL_SAFE_NO_PAD.decode(token).ok()?;
        let body_len = raw.len().checked_sub(24 + 16)?;
        let (nonce, rest) = raw.split_at_mut(24);
        let (body, tag) = rest.split_at_mut(body_len);
        let nonce: &[u8; 24] = (&*nonce).try_into().ok()?;
        if !xchacha_ring::open(&SEAL_KEY, nonce, b"", body, tag) {
            return None;
        }
        postcard::from_bytes(body).ok()
    }
}
