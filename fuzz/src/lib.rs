//! Fixtures shared by the fuzz targets: a fixed keyring, a fixed clock, codecs
//! built once, and the two ways raw fuzzer bytes become a token string.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie_seal::{Codec, Key, Keyring};

/// The fixed verification time: 2023-11-14T22:13:20Z.
pub const NOW_SECS: u64 = 1_700_000_000;

/// The fixed clock every target decodes at.
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

/// The fixed keyring: key 1 (primary, bytes 0x11) and key 2 (bytes 0x22).
///
/// The seed corpora hold tokens signed with *other* key bytes under these IDs,
/// so mutations reach the tag check; no seed is authentic for this keyring.
pub fn keyring() -> Keyring {
    let mut ring = Keyring::new(1, fixed_key(0x11));
    if ring.add(2, fixed_key(0x22)).is_err() {
        unreachable!("ID 2 is free in a one-key ring");
    }
    ring
}

fn fixed_key(byte: u8) -> Key {
    match Key::from_bytes(&[byte; 32]) {
        Ok(key) => key,
        Err(_) => unreachable!("32 bytes is a valid key length"),
    }
}

/// Signed and sealed codecs over [`keyring`], built once per process:
/// `[signed, signed purpose "csrf", sealed, sealed accepting signed]`.
pub fn codecs() -> &'static [Codec; 4] {
    static CODECS: OnceLock<[Codec; 4]> = OnceLock::new();
    CODECS.get_or_init(|| {
        [
            Codec::signed(keyring()),
            Codec::signed(keyring()).purpose("csrf"),
            Codec::sealed(keyring()),
            Codec::sealed(keyring()).accept_signed(true),
        ]
    })
}

/// The token strings one fuzz input stands for: the bytes as text when they
/// are UTF-8 (exercises the length check and the strict base64 decoder), and
/// the bytes' base64url form (reaches the header parser and tag checks).
pub fn token_candidates(data: &[u8]) -> impl Iterator<Item = String> + '_ {
    let as_text = std::str::from_utf8(data).ok().map(str::to_owned);
    as_text
        .into_iter()
        .chain(std::iter::once(URL_SAFE_NO_PAD.encode(data)))
}

/// Feeds every token candidate of `data` to each codec's decoders (a
/// session, a string and, bound to a context, raw bytes) and to `inspect`:
/// nothing may panic, and with the fixed keyring nothing may verify.
pub fn assert_never_verifies(codecs: &[&Codec], data: &[u8]) {
    let with_context = cookie_seal::DecodeOptions::new().context(b"ctx");
    for token in token_candidates(data) {
        let _ = cookie_seal::inspect(&token);
        for codec in codecs {
            assert!(codec
                .decode_at::<cookie_seal::SessionMap>(&token, now())
                .is_err());
            assert!(codec.decode_at::<String>(&token, now()).is_err());
            assert!(codec
                .decode_with::<Vec<u8>>(&token, &with_context, now())
                .is_err());
        }
    }
}
