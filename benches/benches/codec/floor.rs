//! The floor: cookie-seal's primitives with nothing around them (postcard,
//! HMAC-SHA256 or XChaCha20-Poly1305, base64url; no header, no checks).

use super::*;

type HmacSha256 = Hmac<Sha256>;

pub(crate) struct Floor {
    mac: HmacSha256,
    aead: XChaCha20Poly1305,
    orion_key: orion::hazardous::aead::xchacha20poly1305::SecretKey,
}

/// The AEAD the crate uses for a message of `len` bytes: orion's below 704
/// bytes unless built with AVX2 enabled, RustCrypto's otherwise (src/seal.rs).
fn crate_uses_orion(len: usize) -> bool {
    !cfg!(target_feature = "avx2") && len < 704
}

impl Floor {
    pub(crate) fn new() -> Floor {
        Floor {
            mac: HmacSha256::new_from_slice(&[0x11; 32]).expect("hmac key"),
            aead: XChaCha20Poly1305::new(&[0x22; 32].into()),
            orion_key: orion::hazardous::aead::xchacha20poly1305::SecretKey::from_slice(
                &[0x22; 32],
            )
            .expect("orion key"),
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
        if crate_uses_orion(raw.len() - 24) {
            use orion::hazardous::aead::xchacha20poly1305 as ox;
            let nonce = ox::Nonce::from_slice(&raw[..24]).expect("nonce");
            let mut sealed = raw[..24].to_vec();
            sealed.resize(raw.len() + 16, 0);
            ox::seal(&self.orion_key, &nonce, &raw[24..], None, &mut sealed[24..])
                .expect("encrypt");
            return URL_SAFE_NO_PAD.encode(&sealed);
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
        if crate_uses_orion(body_len) {
            use orion::hazardous::aead::xchacha20poly1305 as ox;
            let nonce = ox::Nonce::from_slice(&raw[..24]).ok()?;
            let mut body = vec![0u8; body_len];
            ox::open(&self.orion_key, &nonce, &raw[24..], None, &mut body).ok()?;
            return postcard::from_bytes(&body).ok();
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
