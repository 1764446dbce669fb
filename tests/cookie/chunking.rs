//! Chunking: splitting, reassembly, malformed chunk sets and leftover chunks.

use super::*;

#[test]
fn chunking_budget_grows_with_chunks_up_to_max_token_len() {
    let one = CookieConfig::default();
    assert_eq!(one.token_budget(), 4089);
    let two = CookieConfig::default()
        .chunking(2)
        .header_budget(ROOMY_HEADER);
    // session.0 and session.1 hold 4087 each, minus the "2." count marker.
    assert_eq!(two.token_budget(), 2 * 4087 - 2);
    assert_eq!(
        CookieConfig::default()
            .chunking(MAX_CHUNKS)
            .header_budget(ROOMY_HEADER)
            .token_budget(),
        MAX_TOKEN_LEN
    );
    assert_eq!(chunked(3).codec().settings().token_budget(), 3 * 4087 - 2);
}

#[test]
fn a_large_session_is_split_reassembled_and_verified() {
    let cookies = chunked(4);
    let session = session_with("pad", 9000);
    let set = cookies
        .save(&cookies.load([], now()), &session, now())
        .unwrap();
    assert_eq!(set.len(), 3, "9 KB sealed needs three cookies");
    for (i, c) in set.iter().enumerate() {
        let (name, value) = name_value(c);
        assert_eq!(name, format!("session.{i}"));
        assert!(name.len() + value.len() <= MAX_COOKIE_LEN);
        assert!(c.contains("; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=86400"));
    }
    assert!(name_value(&set[0]).1.starts_with("3."));
    // The browser may send them in any order.
    let mut parts: Vec<_> = cookie_header(&set).split("; ").map(str::to_owned).collect();
    parts.reverse();
    let header = parts.join("; ");
    let loaded = cookies.load::<SessionMap>([header.as_str()], now());
    assert_eq!(loaded.error(), None);
    assert_eq!(loaded.session(), session);
}

#[test]
fn every_token_length_splits_into_cookies_that_fit_and_reassemble() {
    let cookies = chunked(MAX_CHUNKS);
    let budget = cookies.config().token_budget();
    let lengths = (1..=40)
        .chain((4080..4100).step_by(1))
        .chain((8150..8190).step_by(1))
        .chain([12_000, 20_000, budget - 1, budget]);
    for len in lengths {
        let token: String = (0..len)
            .map(|i| char::from(b'A' + u8::try_from(i % 26).unwrap()))
            .collect();
        let set = cookies
            .set_cookies(&token, &PresentCookies::none())
            .unwrap();
        for c in &set {
            let (name, value) = name_value(c);
            assert!(name.len() + value.len() <= MAX_COOKIE_LEN, "len {len}");
        }
        if len + "session".len() <= MAX_COOKIE_LEN {
            assert_eq!(set.len(), 1, "len {len} fits one cookie");
            assert_eq!(name_value(&set[0]).0, "session");
        }
        let header = cookie_header(&set);
        assert_eq!(
            cookies.read_token([header.as_str()]).unwrap().as_deref(),
            Some(token.as_str()),
            "len {len}"
        );
    }
}

#[test]
fn a_token_over_the_chunk_capacity_is_too_large() {
    let cookies = chunked(2);
    let capacity = 2 * 4087 - 2;
    let token = "A".repeat(capacity + 1);
    assert_eq!(
        cookies.set_cookies(&token, &PresentCookies::none()),
        Err(Error::TooLarge {
            len: capacity + 1,
            limit: capacity
        })
    );
    assert!(cookies
        .set_cookies(&token[1..], &PresentCookies::none())
        .is_ok());
    // And the codec refuses sessions that would not fit before rendering.
    let session = session_with("pad", 7000);
    assert!(matches!(
        cookies.save(&cookies.load([], now()), &session, now()),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn missing_chunks_are_malformed_before_verification() {
    let cookies = chunked(4);
    let full = chunked_cookies(&cookies, 9000);
    assert_eq!(full.len(), 3);
    for missing in 0..3 {
        let mut partial = full.clone();
        partial.remove(missing);
        let header = header_of(&partial);
        assert_eq!(
            cookies.read_token([header.as_str()]),
            Err(Error::Malformed),
            "without chunk {missing}"
        );
        let loaded = cookies.load::<SessionMap>([header.as_str()], now());
        assert_eq!(loaded.error(), Some(&Error::Malformed));
    }
}

#[test]
fn chunks_that_do_not_reassemble_are_malformed() {
    let cookies = chunked(4);
    let full = chunked_cookies(&cookies, 9000);
    // A count marker that is absent, zero-padded or over the limit.
    let mut bad_marker = full.clone();
    for value in [
        full[0].1[2..].to_owned(),
        format!("03.{}", &full[0].1[2..]),
        format!("9.{}", &full[0].1[2..]),
        format!("1.{}", &full[0].1[2..]),
    ] {
        bad_marker[0].1 = value;
        let header = header_of(&bad_marker);
        assert_eq!(cookies.read_token([header.as_str()]), Err(Error::Malformed));
        assert_eq!(
            cookies.load::<SessionMap>([header.as_str()], now()).error(),
            Some(&Error::Malformed)
        );
    }
}

#[test]
fn reordered_or_stale_chunks_fail_authentication() {
    let cookies = chunked(6);
    let first = chunked_cookies(&cookies, 13_000);
    let second = chunked_cookies(&cookies, 13_000);
    assert_eq!(first.len(), 5);
    // Swap the values of session.1 and session.2 (both full, same length).
    let mut swapped = first.clone();
    let (one, two) = (swapped[1].1.clone(), swapped[2].1.clone());
    swapped[1].1 = two;
    swapped[2].1 = one;
    // Chunk 1 from another (fresh, valid) session mixed with this one.
    let mut stale = first.clone();
    stale[1] = second[1].clone();
    for mixed in [swapped, stale] {
        let loaded = cookies.load::<SessionMap>([header_of(&mixed).as_str()], now());
        assert_eq!(loaded.error(), Some(&Error::Invalid));
        assert!(loaded.session().is_empty());
    }
    let loaded = cookies.load::<SessionMap>([header_of(&second).as_str()], now());
    assert_eq!(loaded.error(), None);
}

#[test]
fn shrinking_a_session_removes_leftover_chunks() {
    let cookies = chunked(4);
    let big = chunked_cookies(&cookies, 9000);
    let header = header_of(&big);
    let (set, _) = edit_and_save(&cookies, &header, now(), |s| {
        s.insert("pad", &ByteString(&noise(5000))).unwrap();
    });
    let names = cookie_names(&set);
    assert_eq!(names, ["session.0", "session.1", "session.2"]);
    assert!(
        set[2].contains("Max-Age=0"),
        "session.2 is stale: {}",
        set[2]
    );
    assert!(!set[0].contains("Max-Age=0") && !set[1].contains("Max-Age=0"));

    // Shrinking to one cookie writes `session` and removes every chunk.
    let (set, small) = edit_and_save(&cookies, &header, now(), |s| {
        s.insert("pad", &1u8).unwrap();
    });
    let names = cookie_names(&set);
    assert_eq!(names, ["session", "session.0", "session.1", "session.2"]);
    assert!(set[1..].iter().all(|c| c.contains("Max-Age=0")));
    let back = cookies.load::<SessionMap>([cookie_header(&set).as_str()], now());
    assert_eq!(back.session(), small);
}

#[test]
fn growing_into_chunks_removes_the_single_cookie() {
    let cookies = chunked(4);
    let mut session = SessionMap::new();
    session.insert("pad", &1u8).unwrap();
    let set = cookies
        .save(&cookies.load([], now()), &session, now())
        .unwrap();
    assert_eq!(name_value(&set[0]).0, "session");
    let header = cookie_header(&set);
    let (set, _) = edit_and_save(&cookies, &header, now(), |s| {
        s.insert("pad", &ByteString(&noise(6000))).unwrap();
    });
    let names = cookie_names(&set);
    assert_eq!(names, ["session.0", "session.1", "session"]);
    assert!(set[2].contains("Max-Age=0"));
}

#[test]
fn previous_chunk_count_can_stand_in_for_the_request() {
    let cookies = chunked(4);
    let set = cookies
        .set_cookies("SMALL", &PresentCookies::none().chunks(3))
        .unwrap();
    let names = cookie_names(&set);
    assert_eq!(names, ["session", "session.0", "session.1", "session.2"]);
    let present =
        cookies.present(["session.0=2.A; session.1=B; session.17=C; session.01=D; session.x=E"]);
    assert_eq!(present.chunk_indices().collect::<Vec<_>>(), [0, 1, 17]);
    assert!(!present.has_single());
    // Recognised stale chunks beyond the configured maximum are removed too.
    let set = cookies.set_cookies("SMALL", &present).unwrap();
    let names = cookie_names(&set);
    assert_eq!(names, ["session", "session.0", "session.1", "session.17"]);
}

#[test]
fn without_chunking_chunk_names_are_not_ours() {
    let cookies = cookies(CookieConfig::default());
    let present = cookies.present(["session.0=2.A; session.1=B"]);
    assert!(present.is_empty());
    assert_eq!(cookies.read_token(["session.0=2.A; session.1=B"]), Ok(None));
}
