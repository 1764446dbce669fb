//! No key material in freed memory: the scanning allocator searches every
//! freed block while keyrings are parsed and exported and codecs run.

use super::*;

/// One scenario at a time: the needles and hit counters are global.
static SCAN_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The searched forms of one master key, each named for the failure report.
fn key_needles(index: usize, master: &[u8]) -> Vec<(String, [u8; scan_alloc::NEEDLE_LEN])> {
    use sha2::block_api::compress256;
    let first = |bytes: &[u8]| -> [u8; scan_alloc::NEEDLE_LEN] {
        bytes[..scan_alloc::NEEDLE_LEN].try_into().unwrap()
    };
    let mut out = vec![
        (format!("key {index} raw bytes 0..16"), first(master)),
        (
            format!("key {index} raw bytes 16..32"),
            first(&master[16..]),
        ),
        (
            format!("key {index} URL-safe base64"),
            first(URL_SAFE_NO_PAD.encode(master).as_bytes()),
        ),
        (
            format!("key {index} standard base64"),
            first(STANDARD.encode(master).as_bytes()),
        ),
    ];
    for (label, name) in [
        (b"cookie-seal/v1 hmac-sha256".as_slice(), "HMAC subkey"),
        (b"cookie-seal/v1 xchacha20poly1305", "AEAD subkey"),
    ] {
        let sub = subkey(master, label);
        out.push((format!("key {index} {name}"), first(&sub)));
        // What an HMAC-SHA256 instance keeps: the SHA-256 state after one
        // block of (subkey XOR ipad) and of (subkey XOR opad).
        for pad in [0x36u8, 0x5c] {
            let mut block = [pad; 64];
            for (b, k) in block.iter_mut().zip(&sub) {
                *b ^= k;
            }
            let mut state: [u32; 8] = [
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
                0x5be0cd19,
            ];
            compress256(&mut state, &[block]);
            let bytes: Vec<u8> = state.iter().flat_map(|w| w.to_ne_bytes()).collect();
            out.push((
                format!("key {index} {name} HMAC state {pad:#x}"),
                first(&bytes),
            ));
        }
    }
    out
}

/// `n` master keys of 32 to 96 bytes, in buffers that wipe themselves.
fn scan_keys(n: usize) -> Vec<zeroize::Zeroizing<Vec<u8>>> {
    (0..n)
        .map(|i| zeroize::Zeroizing::new(secret(&format!("scan key {i}"), 32 + 8 * i)))
        .collect()
}

/// Runs `scenario` with the allocator searching for the keys' material and
/// fails naming every form found in a freed block.
fn assert_nothing_left_behind(masters: &[zeroize::Zeroizing<Vec<u8>>], scenario: impl FnOnce()) {
    let named: Vec<(String, [u8; scan_alloc::NEEDLE_LEN])> = masters
        .iter()
        .enumerate()
        .flat_map(|(i, master)| key_needles(i + 1, master))
        .collect();
    let needles: Vec<[u8; scan_alloc::NEEDLE_LEN]> = named.iter().map(|(_, n)| *n).collect();
    scan_alloc::arm(&needles);
    scenario();
    let hits = scan_alloc::disarm();
    let found: Vec<String> = named
        .iter()
        .zip(&hits)
        .filter(|(_, &hits)| hits > 0)
        .map(|((name, _), hits)| format!("{name} ({hits} freed blocks)"))
        .collect();
    assert!(
        found.is_empty(),
        "key material left in freed memory: {found:?}"
    );
}

/// The keyring text of `masters` (IDs 1..), built in one buffer sized up
/// front so the test itself frees no copy.
fn keyring_text(masters: &[zeroize::Zeroizing<Vec<u8>>]) -> zeroize::Zeroizing<String> {
    let mut text = zeroize::Zeroizing::new(String::with_capacity(8192));
    for (i, master) in masters.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&(i + 1).to_string());
        text.push(':');
        // Odd keys in standard padded base64, even ones URL-safe.
        let mut buf = zeroize::Zeroizing::new([0u8; 256]);
        let written = if i % 2 == 0 {
            STANDARD
                .encode_slice(master.as_slice(), buf.as_mut())
                .unwrap()
        } else {
            URL_SAFE_NO_PAD
                .encode_slice(master.as_slice(), buf.as_mut())
                .unwrap()
        };
        text.push_str(std::str::from_utf8(&buf[..written]).unwrap());
    }
    assert!(text.capacity() == 8192, "the text buffer never grew");
    text
}

fn keyring_codec_round_trips(n: usize) {
    let _serial = SCAN_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let masters = scan_keys(n);
    let text = keyring_text(&masters);
    assert_nothing_left_behind(&masters, || {
        let ring: Keyring = text.parse().unwrap();
        assert_eq!(ring.ids().count(), n);
        let exported = ring.export();
        let again: Keyring = exported.parse().unwrap();
        assert_eq!(again, ring);
        drop(exported);
        let mut session = SessionMap::new();
        session.insert("user", "ada").unwrap();
        for id in 1..=u32::try_from(n).unwrap() {
            // Each key writes once (as the primary) and is read by a codec
            // whose primary is another key, in both modes.
            let mut writer_ring = ring.clone();
            writer_ring.promote(id).unwrap();
            for (writer, reader) in [
                (
                    Codec::signed(writer_ring.clone()),
                    Codec::signed(ring.clone()),
                ),
                (
                    Codec::sealed(writer_ring.clone()).compression(Compression::Auto),
                    Codec::sealed(ring.clone()),
                ),
            ] {
                let token = writer.encode_at(&session, now()).unwrap();
                let decoded = reader.decode_at::<SessionMap>(&token, now()).unwrap();
                assert_eq!(decoded.key_id, id);
                assert_eq!(decoded.needs_reissue(), id != 1);
            }
        }
    });
}

#[test]
fn no_key_material_in_freed_memory_with_1_key() {
    keyring_codec_round_trips(1);
}

#[test]
fn no_key_material_in_freed_memory_with_5_keys() {
    keyring_codec_round_trips(5);
}

#[test]
fn no_key_material_in_freed_memory_with_9_keys() {
    keyring_codec_round_trips(9);
}

/// The scan can fail: an unwiped copy of a key, of its base64 or of a
/// subkey, freed while armed, is found and named.
#[test]
fn the_freed_memory_scan_finds_an_unwiped_copy() {
    let _serial = SCAN_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let masters = scan_keys(2);
    let leaks: Vec<Box<dyn Fn()>> = vec![
        Box::new(|| drop(masters[1].to_vec())),
        Box::new(|| drop(STANDARD.encode(masters[0].as_slice()))),
        Box::new(|| drop(subkey(&masters[1], b"cookie-seal/v1 xchacha20poly1305"))),
    ];
    for leak in leaks {
        let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            assert_nothing_left_behind(&masters, &*leak);
        }));
        assert!(found.is_err(), "an unwiped copy went unnoticed");
    }
}
