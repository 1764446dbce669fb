//! Compression defaults per mode and the auto level search.

use super::*;

#[test]
fn default_compression_differs_by_mode() {
    let text = "abcabcabcabcabcabc".repeat(20);
    let signed = Codec::signed(ring()).encode_at(&text, at(T0)).unwrap();
    let sealed = Codec::sealed(ring()).encode_at(&text, at(T0)).unwrap();
    assert_eq!(
        cookie_seal::inspect(&signed).unwrap().compressed(),
        Some(true),
        "signed compresses by default"
    );
    assert!(
        sealed.len() > text.len() * 4 / 3,
        "sealed never compresses by default"
    );
}

#[test]
fn auto_compression_tries_harder_before_refusing() {
    // A payload whose fast deflate does not fit but whose best deflate does:
    // text with long-distance repeats that level 1 only partly finds.
    let codec = Codec::signed(ring());
    let words: Vec<String> = (0..900)
        .map(|i| format!("item-{:04}:{}", i % 300, "x".repeat(i % 7)))
        .collect();
    let mut fits_only_when_trying_hard = None;
    for n in (100..900).step_by(20) {
        let value = words[..n].join(",");
        let fast = flate2_len(&value, 1);
        let best = flate2_len(&value, 9);
        let budget_body = 3 * DEFAULT_MAX_TOKEN_LEN / 4 - 80;
        if fast > budget_body && best < budget_body - 40 {
            fits_only_when_trying_hard = Some(value);
            break;
        }
    }
    let value = fits_only_when_trying_hard.expect("a payload between the two levels' capacities");
    let token = codec.encode_at(&value, at(T0)).unwrap();
    assert!(token.len() <= DEFAULT_MAX_TOKEN_LEN);
    assert_eq!(
        codec.decode_at::<String>(&token, at(T0)).unwrap().value,
        value
    );
}

/// Raw deflate length of the postcard form of a string at a given level.
fn flate2_len(value: &str, level: u32) -> usize {
    use std::io::Write;
    let payload = postcard::to_allocvec(value).unwrap();
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(level));
    encoder.write_all(&payload).unwrap();
    encoder.finish().unwrap().len()
}
