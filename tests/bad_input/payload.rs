//! Authentic but hostile payloads: non-zero padding, trailing bytes, huge
//! length prefixes, invalid deflate, deflate bombs.

use super::*;

#[test]
fn non_zero_padding_is_refused_after_authentication() {
    let sealed = Codec::sealed(ring());
    // The forger agrees with the codec on zero padding.
    let zero = forge_sealed(&MASTER, &padded_plaintext(&[4, 0, 0, 0]));
    assert_eq!(decode(&sealed, &zero), Ok(session()));
    for bad in [[4, 0, 0, 1], [4, 0x80, 0, 0], [0x7F, 0, 0, 0]] {
        let token = forge_sealed(&MASTER, &padded_plaintext(&bad));
        assert_eq!(decode(&sealed, &token), Err(Error::Malformed), "{bad:?}");
        // Without the key the same bytes are only ever Invalid.
        let forged = forge_sealed(&[0x22; 32], &padded_plaintext(&bad));
        assert_eq!(decode(&sealed, &forged), Err(Error::Invalid));
    }
}

#[test]
fn trailing_bytes_after_the_postcard_value_are_refused() {
    let codec = Codec::signed(ring());
    let mut body = postcard::to_allocvec(&session()).unwrap();
    body.push(0);
    let token = forge_signed(&header(0x01, 1, T0), &body);
    assert_eq!(decode(&codec, &token), Err(Error::Deserialize));
}

#[test]
fn length_prefix_of_two_to_the_63_is_a_payload_error() {
    let codec = Codec::signed(ring());
    // SessionMap = Option<id> (None) then a map whose length prefix is 2^63.
    let mut body = vec![0x00];
    varint(1 << 63, &mut body);
    let token = forge_signed(&header(0x01, 1, T0), &body);
    assert_eq!(decode(&codec, &token), Err(Error::Deserialize));
    let as_bytes = forge_signed(&header(0x01, 1, T0), &body[1..]);
    assert_eq!(
        codec
            .decode_at::<Vec<u8>>(&as_bytes, at(T0))
            .map(|d| d.value),
        Err(Error::Deserialize)
    );
}

#[test]
fn invalid_deflate_is_refused() {
    let codec = Codec::signed(ring());
    let compressed = 0x01 | 0x04;
    for body in [&[0xFFu8, 0xFF, 0xFF][..], &[], &[0x03]] {
        let token = forge_signed(&header(compressed, 1, T0), body);
        assert_eq!(decode(&codec, &token), Err(Error::Inflate), "{body:?}");
    }
}

#[test]
fn deflate_bomb_past_the_cap_is_refused() {
    use std::io::Write;
    let codec = Codec::signed(ring());
    // Authentic compressed payload that would inflate to 1 MiB.
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0u8; 1 << 20]).unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 2000);
    let token = forge_signed(&header(0x01 | 0x04, 1, T0), &bomb);
    assert_eq!(
        codec
            .decode_at::<Vec<u8>>(&token, at(T0))
            .map(|d| d.value.len()),
        Err(Error::Inflate)
    );
    // Just under the cap still works (the cap is the documented MAX_PAYLOAD_LEN).
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let mut payload = Vec::new();
    varint((MAX_PAYLOAD_LEN - 2) as u64, &mut payload);
    payload.resize(MAX_PAYLOAD_LEN, 0);
    encoder.write_all(&payload).unwrap();
    let token = forge_signed(&header(0x01 | 0x04, 1, T0), &encoder.finish().unwrap());
    assert_eq!(
        codec
            .decode_at::<Vec<u8>>(&token, at(T0))
            .map(|d| d.value.len()),
        Ok(MAX_PAYLOAD_LEN - 2)
    );
}
