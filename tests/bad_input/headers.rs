//! The readable header: version, mode and canonical form.

use super::*;

#[test]
fn unknown_version_is_reported() {
    for codec in codecs() {
        let mut raw = URL_SAFE_NO_PAD
            .decode(codec.encode_at(&session(), at(T0)).unwrap())
            .unwrap();
        for version in [0u8, 2, 255] {
            raw[0] = version;
            assert_eq!(
                decode(&codec, &URL_SAFE_NO_PAD.encode(&raw)),
                Err(Error::UnsupportedVersion(version))
            );
        }
    }
}

#[test]
fn wrong_mode_is_mode_mismatch() {
    let [signed, sealed] = codecs();
    let s = signed.encode_at(&session(), at(T0)).unwrap();
    let x = sealed.encode_at(&session(), at(T0)).unwrap();
    assert_eq!(decode(&sealed, &s), Err(Error::ModeMismatch));
    assert_eq!(decode(&signed, &x), Err(Error::ModeMismatch));
}

#[test]
fn non_canonical_headers_are_malformed_even_when_signed() {
    let codec = Codec::signed(ring());
    let body = postcard::to_allocvec(&session()).unwrap();
    // Key ID 1 written as a padded two-byte varint.
    let mut padded = vec![1, 0x01, 0x81, 0x00];
    varint(T0, &mut padded);
    // Reserved flag bit set.
    let reserved = header(0x01 | 0x80, 1, T0);
    for h in [padded, reserved] {
        assert_eq!(
            decode(&codec, &forge_signed(&h, &body)),
            Err(Error::Malformed)
        );
    }
}
