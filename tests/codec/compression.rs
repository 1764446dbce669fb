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
        let fast = one_shot_len(&value, 1);
        let best = one_shot_len(&value, 9);
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

#[test]
fn the_hard_retry_fills_the_budget_to_the_byte() {
    // A value whose fast deflate is several bytes longer than its best one.
    let value = (0..400)
        .map(|i| format!("k{:03}={}", (i * 37) % 211, "ab".repeat(i % 5)))
        .collect::<Vec<_>>()
        .join(";");
    let best = one_shot_len(&value, 6).min(one_shot_len(&value, 9));
    let saved = one_shot_len(&value, 1) - best;
    assert!(
        saved >= 8,
        "the levels must differ enough for this test ({saved})"
    );
    // A bound context is not part of the token, so nothing changes with one.
    for context in [&b""[..], b"__Host-session"] {
        let options = EncodeOptions::new().context(context);
        // The longest key ID and a created-delta as long as the issue time:
        // nothing is reserved for a re-issue, so the budget is the token's.
        let options = options.created_at(at(1));
        let ring = || fixtures::ring(&[(u32::MAX, 1)]);
        let encode = |budget: usize| {
            Codec::signed(ring())
                .token_budget(budget)
                .encode_with(&value, &options, at(T0))
        };
        // With room to spare the fast level is kept; its raw length follows
        // from the token's (unpadded base64url: 3 bytes per 4 characters).
        let roomy = encode(DEFAULT_MAX_TOKEN_LEN).unwrap().len();
        assert_eq!(
            encode(roomy).unwrap().len(),
            roomy,
            "a fast result that fits exactly is kept"
        );
        let fast_raw = roomy * 3 / 4;
        let tight = (4 * (fast_raw - saved)).div_ceil(3);
        // At exactly the best compression's token length it fits, to the byte...
        let token = encode(tight).unwrap();
        assert_eq!(token.len(), tight);
        let decoded = Codec::signed(fixtures::ring(&[(u32::MAX, 1)]))
            .decode_with::<String>(
                &token,
                &cookie_seal::DecodeOptions::new().context(context),
                at(T0),
            )
            .unwrap();
        assert_eq!(decoded.value, value);
        // ...and one character less is refused.
        assert!(matches!(encode(tight - 1), Err(Error::TooLarge { .. })));
    }
}

#[test]
fn payloads_up_to_max_payload_len_encode() {
    // Zeros deflate to almost nothing, so only the payload cap is in play.
    let codec = Codec::signed(ring());
    let at_cap = vec![0u8; MAX_PAYLOAD_LEN - 2];
    assert_eq!(
        postcard::to_allocvec(&at_cap).unwrap().len(),
        MAX_PAYLOAD_LEN
    );
    let token = codec.encode_at(&at_cap, at(T0)).unwrap();
    assert_eq!(
        codec.decode_at::<Vec<u8>>(&token, at(T0)).unwrap().value,
        at_cap
    );
    let over = vec![0u8; MAX_PAYLOAD_LEN - 1];
    assert_eq!(
        codec.encode_at(&over, at(T0)),
        Err(Error::TooLarge {
            len: MAX_PAYLOAD_LEN + 1,
            limit: MAX_PAYLOAD_LEN
        })
    );
}

/// Raw deflate length of the postcard form of a string at a given level, in
/// one `compress_vec` call as the codec makes it (a streaming encoder can end
/// its blocks elsewhere and differ by a few bytes).
fn one_shot_len(value: &str, level: u32) -> usize {
    let payload = postcard::to_allocvec(value).unwrap();
    let mut out = Vec::with_capacity(2 * payload.len() + 64);
    let mut compressor = flate2::Compress::new(flate2::Compression::new(level), false);
    let status = compressor
        .compress_vec(&payload, &mut out, flate2::FlushCompress::Finish)
        .unwrap();
    assert_eq!(status, flate2::Status::StreamEnd);
    out.len()
}
