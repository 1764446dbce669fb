use super::*;

#[test]
fn chunk_names_are_canonical_decimal_below_the_limit() {
    let config = CookieConfig::default();
    for (name, index) in [
        ("session.0", Some(0)),
        ("session.7", Some(7)),
        ("session.31", Some(31)),
        ("session.32", None),
        ("session.00", None),
        ("session.01", None),
        ("session.", None),
        ("session.-1", None),
        ("session.+1", None),
        ("session.1x", None),
        ("sessionx.1", None),
        ("session", None),
        ("session.100", None),
    ] {
        assert_eq!(config.chunk_index(name.as_bytes()), index, "{name}");
    }
    assert_eq!(config.chunk_name(12), "session.12");
}

#[test]
fn present_cookies_builders_record_what_they_add() {
    let none = PresentCookies::none();
    assert!(none.is_empty() && !none.has_single());
    assert_eq!(none.chunk_indices().count(), 0);
    let single = PresentCookies::none().single();
    assert!(single.has_single() && !single.is_empty());
    assert_eq!(single.chunk_indices().count(), 0);
    let both = single.chunks(2);
    assert!(both.has_single());
    assert_eq!(both.chunk_indices().collect::<Vec<_>>(), [0, 1]);
    // Indices past the recognised limit are not recorded.
    let many = PresentCookies::none().chunks(CHUNK_INDEX_LIMIT + 5);
    assert_eq!(many.chunk_indices().count(), CHUNK_INDEX_LIMIT);
    let mut found = PresentCookies::none();
    found.add_chunk(CHUNK_INDEX_LIMIT - 1);
    found.add_chunk(CHUNK_INDEX_LIMIT);
    found.add_chunk(usize::MAX);
    assert_eq!(
        found.chunk_indices().collect::<Vec<_>>(),
        [CHUNK_INDEX_LIMIT - 1]
    );
}

#[test]
fn cookie_pairs_trim_only_space_and_tab_and_never_fail() {
    let pairs = |line: &[u8]| -> Vec<(Vec<u8>, Vec<u8>)> {
        cookie_pairs(line)
            .map(|(name, value)| (name.to_vec(), value.to_vec()))
            .collect()
    };
    let owned = |name: &[u8], value: &[u8]| (name.to_vec(), value.to_vec());
    assert_eq!(
        pairs(b" \ta = 1 \t;b=2;;  ;c= ;=x;novalue"),
        [owned(b"a", b"1"), owned(b"b", b"2"), owned(b"c", b"")]
    );
    // Other bytes stay part of the name or value.
    assert_eq!(
        pairs(b"\x0bs=1; s\x0c=2; \xc2\xa0s=3; s=\xff\xfe"),
        [
            owned(b"\x0bs", b"1"),
            owned(b"s\x0c", b"2"),
            owned(b"\xc2\xa0s", b"3"),
            owned(b"s", b"\xff\xfe"),
        ]
    );
    // Only the first `=` splits: the value may hold more.
    assert_eq!(pairs(b"s=a=b"), [owned(b"s", b"a=b")]);
    assert!(pairs(b"").is_empty() && pairs(b"\t ").is_empty());
}

#[test]
fn cookie_octets_exclude_separators_and_controls() {
    let allowed: Vec<u8> = (0u8..=255).filter(|&b| is_cookie_octet(b)).collect();
    assert_eq!(allowed.len(), 94 - 4);
    for b in [b'"', b',', b';', b'\\', b' ', b'\t', 0x7f, 0x80] {
        assert!(!is_cookie_octet(b), "{b:#x}");
    }
    assert!(b"ABCxyz019-_.~=".iter().all(|&b| is_cookie_octet(b)));
}
