//! The cookie layer: rendering, validation, size limits, loading, saving and
//! chunking, through the public API only.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use std::time::{Duration, SystemTime};

use cookie_seal::consts::{MAX_ATTRIBUTE_LEN, MAX_CHUNKS, MAX_COOKIE_NAME_LEN};
use cookie_seal::consts::{MAX_COOKIE_LEN, MAX_TOKEN_LEN};
use cookie_seal::cookie::{CookieConfig, PresentCookies, SameSite, SessionCookie};
use cookie_seal::{inspect, Codec, EncodeOptions, Error, Key, Keyring, Lifetime, Session};

fn keyring(id: u32, byte: u8) -> Keyring {
    Keyring::new(id, Key::from_bytes(&[byte; 32]).unwrap())
}

fn sealed() -> Codec {
    Codec::sealed(keyring(1, 0x11))
}

fn cookies(config: CookieConfig) -> SessionCookie {
    SessionCookie::new(sealed(), config).unwrap()
}

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// The `Cookie` request header a browser would send back after these
/// `Set-Cookie` values: name=value of every cookie that is not a removal.
fn cookie_header(set_cookies: &[String]) -> String {
    set_cookies
        .iter()
        .filter(|c| !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

fn name_value(set_cookie: &str) -> (&str, &str) {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
}

/// Deterministic, incompressible bytes.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn session_with(key: &str, bytes: usize) -> Session {
    let mut session = Session::new();
    session.insert(key, &noise(bytes)).unwrap();
    session
}

#[test]
fn default_set_cookie_has_secure_attributes_and_codec_max_age() {
    let codec = sealed().max_age(Duration::from_secs(1800));
    let cookies = SessionCookie::new(codec, CookieConfig::default()).unwrap();
    let set = cookies
        .set_cookies("TOKEN", &PresentCookies::none())
        .unwrap();
    assert_eq!(
        set,
        ["session=TOKEN; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=1800"]
    );
    assert_eq!(cookies.max_age(), Duration::from_secs(1800));
}

#[test]
fn configured_attributes_are_rendered() {
    let config = CookieConfig::new("app")
        .unwrap()
        .path("/app")
        .domain("example.com")
        .same_site(SameSite::Strict)
        .http_only(false)
        .secure(false)
        .max_age(Duration::from_secs(60));
    let set = cookies(config)
        .set_cookies("T", &PresentCookies::none())
        .unwrap();
    assert_eq!(
        set,
        ["app=T; SameSite=Strict; Path=/app; Domain=example.com; Max-Age=60"]
    );
}

#[test]
fn removal_cookie_matches_path_and_domain_and_expires_now() {
    let config = CookieConfig::new("app")
        .unwrap()
        .path("/app")
        .domain("example.com");
    let removal = cookies(config).removal_cookies(&PresentCookies::none());
    assert_eq!(removal.len(), 1);
    assert!(
        removal[0].starts_with(
            "app=; HttpOnly; SameSite=Lax; Secure; Path=/app; Domain=example.com; Max-Age=0; Expires="
        ),
        "{}",
        removal[0]
    );
}

#[test]
fn cookie_names_must_be_rfc6265_tokens() {
    for bad in [
        "", "a b", "a\tb", "a;b", "a,b", "a=b", "a\"b", "a(b", "a)b", "a<b", "a>b", "a@b", "a:b",
        "a\\b", "a/b", "a[b", "a]b", "a?b", "a{b", "a}b", "a\u{7f}", "a\nb", "é",
    ] {
        assert!(
            matches!(CookieConfig::new(bad), Err(Error::InvalidOption(_))),
            "{bad:?} accepted"
        );
    }
    for good in ["session", "__Host-id", "a.b_c-d!#$%&'*+^`|~", "X"] {
        assert!(CookieConfig::new(good).is_ok(), "{good:?} refused");
    }
    let long = "n".repeat(MAX_COOKIE_NAME_LEN + 1);
    assert_eq!(
        CookieConfig::new(&long),
        Err(Error::TooLarge {
            len: MAX_COOKIE_NAME_LEN + 1,
            limit: MAX_COOKIE_NAME_LEN
        })
    );
    assert!(CookieConfig::new(&long[1..]).is_ok());
}

#[test]
fn host_prefix_needs_secure_root_path_and_no_domain() {
    let host = CookieConfig::new("__Host-s").unwrap();
    assert_eq!(host.validate(), Ok(()));
    for broken in [
        host.clone().secure(false),
        host.clone().path("/app"),
        host.clone().domain("example.com"),
        CookieConfig::new("__host-s").unwrap().secure(false),
    ] {
        assert!(
            matches!(broken.validate(), Err(Error::InvalidOption(_))),
            "{broken:?}"
        );
        assert!(SessionCookie::new(sealed(), broken).is_err());
    }
}

#[test]
fn secure_prefix_and_samesite_none_need_secure() {
    let prefixed = CookieConfig::new("__Secure-s").unwrap();
    assert_eq!(
        prefixed.clone().path("/x").domain("a.example").validate(),
        Ok(())
    );
    assert!(prefixed.secure(false).validate().is_err());
    assert!(CookieConfig::new("__SECURE-s")
        .unwrap()
        .secure(false)
        .validate()
        .is_err());
    let none = CookieConfig::default().same_site(SameSite::None);
    assert_eq!(none.clone().validate(), Ok(()));
    assert!(none.secure(false).validate().is_err());
}

#[test]
fn attribute_values_are_checked_and_capped() {
    let base = CookieConfig::default();
    for bad_path in ["", "app", "/a;b", "/a\nb"] {
        assert!(
            matches!(
                base.clone().path(bad_path).validate(),
                Err(Error::InvalidOption(_))
            ),
            "{bad_path:?}"
        );
    }
    for bad_domain in ["", "exa mple.com", "example.com;x=y", "ex/ample"] {
        assert!(
            base.clone().domain(bad_domain).validate().is_err(),
            "{bad_domain:?}"
        );
    }
    let path_at_limit = format!("/{}", "p".repeat(MAX_ATTRIBUTE_LEN - 1));
    assert_eq!(base.clone().path(&path_at_limit).validate(), Ok(()));
    let path_over = format!("{path_at_limit}p");
    assert_eq!(
        base.clone().path(&path_over).validate(),
        Err(Error::TooLarge {
            len: MAX_ATTRIBUTE_LEN + 1,
            limit: MAX_ATTRIBUTE_LEN
        })
    );
    let domain_over = "d".repeat(MAX_ATTRIBUTE_LEN + 1);
    assert!(matches!(
        base.clone().domain(&domain_over).validate(),
        Err(Error::TooLarge { .. })
    ));
    assert!(base.clone().max_age(Duration::ZERO).validate().is_err());
    assert!(base.clone().chunking(0).validate().is_err());
    assert!(base.clone().chunking(MAX_CHUNKS + 1).validate().is_err());
    assert_eq!(base.chunking(MAX_CHUNKS).validate(), Ok(()));
}

#[test]
fn codec_budget_is_the_cookie_limit_minus_the_name() {
    for name in ["s", "session", "__Host-session", &"n".repeat(100)] {
        let cookies = cookies(CookieConfig::new(name).unwrap());
        assert_eq!(
            cookies.codec().settings().token_budget(),
            MAX_COOKIE_LEN - name.len()
        );
        assert_eq!(cookies.config().token_budget(), MAX_COOKIE_LEN - name.len());
    }
}

#[test]
fn largest_session_that_encodes_fits_one_cookie_and_the_next_is_refused() {
    // Grow a session byte by byte until the codec refuses it: every token it
    // accepted made a cookie of at most 4096 bytes, and the refusal is TooLarge.
    let cookies = cookies(CookieConfig::new("__Host-session").unwrap());
    let mut largest = 0;
    for bytes in 3000..3200 {
        let session = session_with("pad", bytes);
        match cookies.store(
            &session,
            &EncodeOptions::new(),
            &PresentCookies::none(),
            now(),
        ) {
            Ok(set) => {
                let (name, value) = name_value(&set[0]);
                largest = largest.max(name.len() + value.len());
            }
            Err(Error::TooLarge { len, limit }) => {
                assert_eq!(limit, MAX_COOKIE_LEN - "__Host-session".len());
                assert!(len > limit);
                break;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    // base64url lengths skip one residue mod 4; 4096 - 14 = 4082 is reachable.
    assert_eq!(largest, MAX_COOKIE_LEN);
}

#[test]
fn set_cookies_refuses_name_plus_value_over_4096() {
    let cookies = cookies(CookieConfig::new("sess").unwrap());
    let at_limit = "A".repeat(MAX_COOKIE_LEN - 4);
    let set = cookies
        .set_cookies(&at_limit, &PresentCookies::none())
        .unwrap();
    let (name, value) = name_value(&set[0]);
    assert_eq!(name.len() + value.len(), MAX_COOKIE_LEN);
    let over = "A".repeat(MAX_COOKIE_LEN - 3);
    assert_eq!(
        cookies.set_cookies(&over, &PresentCookies::none()),
        Err(Error::TooLarge {
            len: MAX_COOKIE_LEN + 1,
            limit: MAX_COOKIE_LEN
        })
    );
}

#[test]
fn set_cookies_refuses_values_that_could_inject_attributes() {
    let cookies = cookies(CookieConfig::default());
    for bad in [
        "a;b",
        "a b",
        "a,b",
        "a\"b",
        "a\\b",
        "a\r\nSet-Cookie: x=y",
        "é",
    ] {
        assert_eq!(
            cookies.set_cookies(bad, &PresentCookies::none()),
            Err(Error::Malformed),
            "{bad:?}"
        );
    }
}

#[test]
fn load_round_trips_and_ignores_other_cookies() {
    let cookies = cookies(CookieConfig::default());
    let mut session = Session::new();
    session.insert("user", "alice").unwrap();
    let set = cookies
        .store(
            &session,
            &EncodeOptions::new(),
            &PresentCookies::none(),
            now(),
        )
        .unwrap();
    let header = format!(
        "theme=dark; junk; ={}; {}; other=1",
        "x",
        cookie_header(&set)
    );
    let loaded = cookies.load::<Session>([header.as_str()], now());
    assert_eq!(loaded.error(), None);
    assert_eq!(loaded.session(), session);
    assert!(loaded.present().has_single());
    // Split across two Cookie headers (HTTP/2 style) works the same.
    let loaded = cookies.load::<Session>(["theme=dark", header.as_str()], now());
    assert_eq!(loaded.session(), session);
}

#[test]
fn missing_cookie_is_an_empty_session_without_error() {
    let cookies = cookies(CookieConfig::default());
    let loaded = cookies.load::<Session>(["other=1; sessionx=2"], now());
    assert!(loaded.decoded().is_none() && loaded.error().is_none());
    assert!(loaded.present().is_empty());
    assert!(loaded.session().is_empty());
    assert_eq!(cookies.save(&loaded, &loaded.session(), now()), Ok(vec![]));
}

#[test]
fn tampered_and_expired_cookies_are_rejected_and_deleted() {
    let cookies = cookies(CookieConfig::default());
    let mut session = Session::new();
    session.insert("user", "alice").unwrap();
    let set = cookies
        .store(
            &session,
            &EncodeOptions::new(),
            &PresentCookies::none(),
            now(),
        )
        .unwrap();
    let header = cookie_header(&set);
    // Flip one character in the middle of the token.
    let mut bytes = header.into_bytes();
    let middle = bytes.len() / 2;
    bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    let loaded = cookies.load::<Session>([tampered.as_str()], now());
    assert_eq!(loaded.error(), Some(&Error::Invalid));
    assert!(loaded.session().is_empty());
    let removal = cookies.save(&loaded, &loaded.session(), now()).unwrap();
    assert_eq!(removal.len(), 1);
    assert!(removal[0].starts_with("session=; ") && removal[0].contains("Max-Age=0"));

    let later = now() + Duration::from_secs(86_400 + 1);
    let valid = cookie_header(&set);
    let loaded = cookies.load::<Session>([valid.as_str()], later);
    assert!(matches!(
        loaded.error(),
        Some(Error::Expired {
            lifetime: Lifetime::Idle,
            ..
        })
    ));
    assert!(loaded.session().is_empty());
}

#[test]
fn a_token_for_one_cookie_name_does_not_verify_in_another() {
    let a = cookies(CookieConfig::new("a").unwrap());
    let b = cookies(CookieConfig::new("b").unwrap());
    let set = a
        .store(
            &"secret",
            &EncodeOptions::new(),
            &PresentCookies::none(),
            now(),
        )
        .unwrap();
    let (_, token) = name_value(&set[0]);
    let moved = format!("b={token}");
    let loaded = b.load::<String>([moved.as_str()], now());
    assert_eq!(loaded.error(), Some(&Error::Invalid));
    assert_eq!(
        a.codec()
            .decode_with::<String>(
                token,
                &cookie_seal::DecodeOptions::new().context(b"a"),
                now()
            )
            .unwrap()
            .value,
        "secret"
    );
}

#[test]
fn store_refuses_a_caller_context() {
    let cookies = cookies(CookieConfig::default());
    let options = EncodeOptions::new().context(b"user agent");
    assert!(matches!(
        cookies.store(&1u8, &options, &PresentCookies::none(), now()),
        Err(Error::InvalidOption(_))
    ));
}

#[test]
fn the_first_verifying_duplicate_wins() {
    let cookies = cookies(CookieConfig::default());
    let set = cookies
        .store(&7u32, &EncodeOptions::new(), &PresentCookies::none(), now())
        .unwrap();
    let header = format!("session=stale-garbage; {}", cookie_header(&set));
    let loaded = cookies.load::<u32>([header.as_str()], now());
    assert_eq!(loaded.decoded().map(|d| d.value), Some(7));
    assert_eq!(
        cookies.read_token([header.as_str()]).unwrap().as_deref(),
        Some("stale-garbage")
    );
}

#[test]
fn save_sends_nothing_for_an_unchanged_session() {
    let cookies = cookies(CookieConfig::default());
    let mut session = Session::new();
    session.insert("n", &1u8).unwrap();
    let set = cookies.save(&cookies.load([], now()), &session, now());
    let set = set.unwrap();
    let header = cookie_header(&set);
    let loaded = cookies.load::<Session>([header.as_str()], now());
    assert_eq!(cookies.save(&loaded, &loaded.session(), now()), Ok(vec![]));
}

#[test]
fn save_carries_creation_time_over_and_regenerate_starts_afresh() {
    let cookies = cookies(CookieConfig::default());
    let t0 = now();
    let mut session = Session::new();
    session.insert("n", &1u8).unwrap();
    let first = cookies
        .save(&cookies.load([], now()), &session, t0)
        .unwrap();

    let t1 = t0 + Duration::from_secs(100);
    let header = cookie_header(&first);
    let loaded = cookies.load::<Session>([header.as_str()], t1);
    let mut session = loaded.session();
    session.insert("n", &2u8).unwrap();
    let second = cookies.save(&loaded, &session, t1).unwrap();
    let header2 = cookie_header(&second);
    let decoded = cookies
        .load::<Session>([header2.as_str()], t1)
        .into_decoded()
        .unwrap();
    assert_eq!(decoded.created_at, t0, "update keeps created_at");
    assert_eq!(decoded.issued_at, t1);

    let loaded = cookies.load::<Session>([header2.as_str()], t1);
    let mut session = loaded.session();
    session.regenerate().unwrap();
    let third = cookies.save(&loaded, &session, t1).unwrap();
    let header3 = cookie_header(&third);
    let decoded = cookies
        .load::<Session>([header3.as_str()], t1)
        .into_decoded()
        .unwrap();
    assert_eq!(decoded.created_at, t1, "regenerate starts a new session");
}

#[test]
fn logout_deletes_every_cookie_the_request_carried() {
    let config = CookieConfig::default().chunking(4);
    let cookies = cookies(config);
    let big = session_with("pad", 6000);
    let set = cookies.save(&cookies.load([], now()), &big, now()).unwrap();
    assert!(set.len() >= 2);
    let header = cookie_header(&set);
    let loaded = cookies.load::<Session>([header.as_str()], now());
    let mut session = loaded.session();
    assert_eq!(session, big);
    session.clear();
    let removal = cookies.save(&loaded, &session, now()).unwrap();
    let mut removed: Vec<_> = removal.iter().map(|c| name_value(c).0).collect();
    removed.sort_unstable();
    let mut expected = vec!["session"];
    expected.extend(set.iter().map(|c| name_value(c).0));
    expected.sort_unstable();
    assert_eq!(removed, expected);
    assert!(removal.iter().all(|c| c.contains("Max-Age=0")));
}

#[test]
fn rotation_reissues_under_the_primary_and_keeps_creation_time() {
    let old = SessionCookie::new(Codec::sealed(keyring(1, 0x11)), CookieConfig::default()).unwrap();
    let mut session = Session::new();
    session.insert("user", "alice").unwrap();
    let t0 = now();
    let set = old.save(&old.load([], now()), &session, t0).unwrap();

    let mut ring = keyring(2, 0x22);
    ring.add(1, Key::from_bytes(&[0x11; 32]).unwrap()).unwrap();
    let new = SessionCookie::new(Codec::sealed(ring), CookieConfig::default()).unwrap();
    let t1 = t0 + Duration::from_secs(60);
    let header = cookie_header(&set);
    let loaded = new.load::<Session>([header.as_str()], t1);
    assert!(loaded.needs_reissue());
    let reissued = new.save(&loaded, &loaded.session(), t1).unwrap();
    assert_eq!(reissued.len(), 1);
    let (_, token) = name_value(&reissued[0]);
    let header = inspect(token).unwrap();
    assert_eq!(header.key_id(), 2);
    // A sealed token's creation time is encrypted: read it with the key.
    let created_at = new
        .codec()
        .decode_with::<Session>(token, &new.decode_options(), t1)
        .unwrap()
        .created_at;
    assert_eq!(created_at, t0);
    let again = new.load::<Session>([cookie_header(&reissued).as_str()], t1);
    assert!(!again.needs_reissue());
    assert_eq!(again.session(), session);
}

// ---- chunking ----

fn chunked(max_chunks: usize) -> SessionCookie {
    cookies(CookieConfig::default().chunking(max_chunks))
}

#[test]
fn chunking_budget_grows_with_chunks_up_to_max_token_len() {
    let one = CookieConfig::default();
    assert_eq!(one.token_budget(), 4089);
    let two = CookieConfig::default().chunking(2);
    // session.0 and session.1 hold 4087 each, minus the "2." count marker.
    assert_eq!(two.token_budget(), 2 * 4087 - 2);
    assert_eq!(
        CookieConfig::default().chunking(MAX_CHUNKS).token_budget(),
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
    let loaded = cookies.load::<Session>([header.as_str()], now());
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
            .map(|i| char::from(b'A' + (i % 26) as u8))
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

/// A chunked session as the `(name, value)` cookies a browser would send.
fn chunked_cookies(cookies: &SessionCookie, bytes: usize) -> Vec<(String, String)> {
    let session = session_with("pad", bytes);
    let set = cookies
        .save(&cookies.load([], now()), &session, now())
        .unwrap();
    set.iter()
        .map(|c| {
            let (n, v) = name_value(c);
            (n.to_owned(), v.to_owned())
        })
        .collect()
}

fn header_of(cookies: &[(String, String)]) -> String {
    cookies
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
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
        let loaded = cookies.load::<Session>([header.as_str()], now());
        assert_eq!(loaded.error(), Some(&Error::Malformed));
    }
}

#[test]
fn extra_duplicate_and_mixed_chunks_are_malformed() {
    let cookies = chunked(4);
    let full = chunked_cookies(&cookies, 9000);
    let extra = format!("{}; session.3=AAAA", header_of(&full));
    let duplicate = format!("{}; session.1=AAAA", header_of(&full));
    let mixed = format!("{}; session=AAAA", header_of(&full));
    for header in [extra, duplicate, mixed] {
        assert_eq!(cookies.read_token([header.as_str()]), Err(Error::Malformed));
        assert_eq!(
            cookies.load::<Session>([header.as_str()], now()).error(),
            Some(&Error::Malformed)
        );
    }
    // A count marker that is absent, zero-padded or over the limit.
    let mut bad_marker = full.clone();
    for value in [
        full[0].1[2..].to_owned(),
        format!("03.{}", &full[0].1[2..]),
        format!("9.{}", &full[0].1[2..]),
        format!("1.{}", &full[0].1[2..]),
    ] {
        bad_marker[0].1 = value;
        assert_eq!(
            cookies.read_token([header_of(&bad_marker).as_str()]),
            Err(Error::Malformed)
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
        let loaded = cookies.load::<Session>([header_of(&mixed).as_str()], now());
        assert_eq!(loaded.error(), Some(&Error::Invalid));
        assert!(loaded.session().is_empty());
    }
    let loaded = cookies.load::<Session>([header_of(&second).as_str()], now());
    assert_eq!(loaded.error(), None);
}

#[test]
fn shrinking_a_session_removes_leftover_chunks() {
    let cookies = chunked(4);
    let big = chunked_cookies(&cookies, 9000);
    let header = header_of(&big);
    let loaded = cookies.load::<Session>([header.as_str()], now());
    let mut session = loaded.session();
    session.insert("pad", &noise(5000)).unwrap();
    let set = cookies.save(&loaded, &session, now()).unwrap();
    let names: Vec<_> = set.iter().map(|c| name_value(c).0).collect();
    assert_eq!(names, ["session.0", "session.1", "session.2"]);
    assert!(
        set[2].contains("Max-Age=0"),
        "session.2 is stale: {}",
        set[2]
    );
    assert!(!set[0].contains("Max-Age=0") && !set[1].contains("Max-Age=0"));

    // Shrinking to one cookie writes `session` and removes every chunk.
    let loaded = cookies.load::<Session>([header.as_str()], now());
    let mut small = loaded.session();
    small.insert("pad", &1u8).unwrap();
    let set = cookies.save(&loaded, &small, now()).unwrap();
    let names: Vec<_> = set.iter().map(|c| name_value(c).0).collect();
    assert_eq!(names, ["session", "session.0", "session.1", "session.2"]);
    assert!(set[1..].iter().all(|c| c.contains("Max-Age=0")));
    let back = cookies.load::<Session>([cookie_header(&set).as_str()], now());
    assert_eq!(back.session(), small);
}

#[test]
fn growing_into_chunks_removes_the_single_cookie() {
    let cookies = chunked(4);
    let mut session = Session::new();
    session.insert("pad", &1u8).unwrap();
    let set = cookies
        .save(&cookies.load([], now()), &session, now())
        .unwrap();
    assert_eq!(name_value(&set[0]).0, "session");
    let header = cookie_header(&set);
    let loaded = cookies.load::<Session>([header.as_str()], now());
    let mut session = loaded.session();
    session.insert("pad", &noise(6000)).unwrap();
    let set = cookies.save(&loaded, &session, now()).unwrap();
    let names: Vec<_> = set.iter().map(|c| name_value(c).0).collect();
    assert_eq!(names, ["session.0", "session.1", "session"]);
    assert!(set[2].contains("Max-Age=0"));
}

#[test]
fn previous_chunk_count_can_stand_in_for_the_request() {
    let cookies = chunked(4);
    let set = cookies
        .set_cookies("SMALL", &PresentCookies::none().chunks(3))
        .unwrap();
    let names: Vec<_> = set.iter().map(|c| name_value(c).0).collect();
    assert_eq!(names, ["session", "session.0", "session.1", "session.2"]);
    let present =
        cookies.present(["session.0=2.A; session.1=B; session.17=C; session.01=D; session.x=E"]);
    assert_eq!(present.chunk_indices().collect::<Vec<_>>(), [0, 1, 17]);
    assert!(!present.has_single());
    // Recognised stale chunks beyond the configured maximum are removed too.
    let set = cookies.set_cookies("SMALL", &present).unwrap();
    let names: Vec<_> = set.iter().map(|c| name_value(c).0).collect();
    assert_eq!(names, ["session", "session.0", "session.1", "session.17"]);
}

#[test]
fn without_chunking_chunk_names_are_not_ours() {
    let cookies = cookies(CookieConfig::default());
    let present = cookies.present(["session.0=2.A; session.1=B"]);
    assert!(present.is_empty());
    assert_eq!(cookies.read_token(["session.0=2.A; session.1=B"]), Ok(None));
}

#[test]
fn session_cookie_keeps_a_smaller_budget_the_app_chose_and_never_raises_it() {
    let chosen = Codec::sealed(Keyring::new(1, Key::generate())).token_budget(1000);
    let cookies = SessionCookie::new(chosen, CookieConfig::new("sid").unwrap()).unwrap();
    assert_eq!(cookies.codec().settings().token_budget(), 1000);
    let wide = Codec::sealed(Keyring::new(1, Key::generate())).token_budget(MAX_TOKEN_LEN);
    let cookies = SessionCookie::new(wide, CookieConfig::new("sid").unwrap()).unwrap();
    assert_eq!(
        cookies.codec().settings().token_budget(),
        MAX_COOKIE_LEN - 3
    );
    let invalid = Codec::signed(Keyring::new(1, Key::generate())).accept_signed(true);
    assert!(matches!(
        SessionCookie::new(invalid, CookieConfig::default()),
        Err(Error::InvalidOption(_))
    ));
}
