//! The cookie layer: rendering, validation, size limits, loading, saving and
//! chunking, through the public API only.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use std::time::{Duration, SystemTime};

use cookie_seal::consts::{MAX_ATTRIBUTE_LEN, MAX_CHUNKS, MAX_COOKIE_NAME_LEN};
use cookie_seal::consts::{MAX_COOKIE_LEN, MAX_TOKEN_LEN};
use cookie_seal::cookie::{CookieConfig, PresentCookies, SameSite, SessionCookie};
use cookie_seal::{inspect, Codec, EncodeOptions, Error, Key, Keyring, Lifetime, Session};

mod fixtures;
use fixtures::noise;

fn keyring(id: u32, byte: u8) -> Keyring {
    fixtures::ring(&[(id, byte)])
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
fn the_one_verifying_duplicate_wins_over_junk_in_any_order() {
    let cookies = cookies(CookieConfig::default());
    let set = cookies
        .store(&7u32, &EncodeOptions::new(), &PresentCookies::none(), now())
        .unwrap();
    let real = cookie_header(&set);
    let header = format!("session=stale-garbage; {real}");
    let loaded = cookies.load::<u32>([header.as_str()], now());
    assert_eq!(loaded.decoded().map(|d| d.value), Some(7));
    assert_eq!(
        cookies.read_token([header.as_str()]).unwrap().as_deref(),
        Some("stale-garbage")
    );
    // Defect 3 of issue #13: four junk cookies sent first pushed the real
    // one out of the four tried, and `save` then deleted it.
    let junk: Vec<String> = (0..12).map(|i| format!("session=junk{i}")).collect();
    let header = format!("{}; {real}", junk.join("; "));
    let loaded = cookies.load::<u32>([header.as_str()], now());
    assert_eq!(loaded.decoded().map(|d| d.value), Some(7));
    // The same cookie sent twice (two paths) is one candidate, not ambiguous.
    let twice = format!("{real}; {real}");
    assert_eq!(
        cookies
            .load::<u32>([twice.as_str()], now())
            .decoded()
            .map(|d| d.value),
        Some(7)
    );
}

/// Defect 3 of issue #13: a sibling subdomain can plant a `session` cookie
/// for the parent domain, holding the attacker's own authentic session
/// (login CSRF, session swap). With two different authentic cookies, none is
/// used and none is deleted.
#[test]
fn a_planted_authentic_cookie_never_replaces_the_users_own() {
    let cookies = cookies(CookieConfig::default());
    let cookie_for = |user: &str| {
        let mut session = Session::new();
        session.insert("user", user).unwrap();
        let loaded = cookies.load::<Session>([], now());
        cookie_header(&cookies.save(&loaded, &session, now()).unwrap())
    };
    let (user, attacker) = (cookie_for("alice"), cookie_for("mallory"));
    for header in [format!("{attacker}; {user}"), format!("{user}; {attacker}")] {
        let loaded = cookies.load::<Session>([header.as_str()], now());
        assert_eq!(
            loaded.error(),
            Some(&Error::AmbiguousCookie { authentic: 2 })
        );
        assert!(loaded.session().is_empty());
        assert!(!loaded.rejected());
        // Nothing is deleted: which cookie is the user's cannot be told.
        let set = cookies.save(&loaded, &loaded.session(), now()).unwrap();
        assert!(set.is_empty(), "{set:?}");
    }
    // A __Host- cookie cannot be set by a sibling domain at all; the
    // browser refuses it, so only the host's own cookie arrives.
    let host = cookies_named("__Host-session");
    let mut session = Session::new();
    session.insert("user", "alice").unwrap();
    let own = cookie_header(&host.save(&host.load([], now()), &session, now()).unwrap());
    let loaded = host.load::<Session>([format!("session=x; {own}").as_str()], now());
    assert_eq!(loaded.error(), None);
}

/// Junk siblings can never get a valid cookie deleted: past the number of
/// candidates checked, the request is refused without any deletion.
#[test]
fn too_many_same_named_cookies_delete_nothing() {
    let cookies = cookies(CookieConfig::default());
    let real = cookie_header(
        &cookies
            .store(&7u32, &EncodeOptions::new(), &PresentCookies::none(), now())
            .unwrap(),
    );
    let junk: Vec<String> = (0..40).map(|i| format!("session=junk{i}")).collect();
    let header = format!("{}; {real}", junk.join("; "));
    let loaded = cookies.load::<Session>([header.as_str()], now());
    assert!(
        matches!(
            loaded.error(),
            Some(Error::TooManyCookies { limit: 16, .. })
        ),
        "{:?}",
        loaded.error()
    );
    assert!(cookies
        .save(&loaded, &loaded.session(), now())
        .unwrap()
        .is_empty());
    // Twelve junk cookies and the real session: it loads, and an unchanged
    // session sends nothing (no deletion).
    let mut session = Session::new();
    session.insert("user", "alice").unwrap();
    let real = cookie_header(
        &cookies
            .save(&cookies.load([], now()), &session, now())
            .unwrap(),
    );
    let header = format!("{}; {real}", junk[..12].join("; "));
    let loaded = cookies.load::<Session>([header.as_str()], now());
    assert_eq!(loaded.session(), session);
    assert!(cookies
        .save(&loaded, &loaded.session(), now())
        .unwrap()
        .is_empty());
    // Forged cookies alone are rejected and deleted as before.
    let loaded = cookies.load::<Session>(["session=junk"], now());
    assert!(loaded.error().is_some() && loaded.rejected());
    assert_eq!(
        cookies
            .save(&loaded, &loaded.session(), now())
            .unwrap()
            .len(),
        1
    );
}

fn cookies_named(name: &str) -> SessionCookie {
    cookies(CookieConfig::new(name).unwrap())
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
    let big = session_with("pad", 4500);
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

/// A header budget that never binds, so the chunk mechanics can be tested
/// with many chunks (the default budget allows two).
const ROOMY_HEADER: usize = 64 * 1024;

/// Chunking up to `max_chunks` cookies, behind a proxy with room for them.
fn chunked(max_chunks: usize) -> SessionCookie {
    cookies(
        CookieConfig::default()
            .chunking(max_chunks)
            .header_budget(ROOMY_HEADER),
    )
}

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

/// With the default header budget, chunks never add more than 7 KiB to the
/// `Cookie` header, whatever the chunk count allows: the largest token
/// splits into two cookies, and one byte more is `TooLarge`.
#[test]
fn chunking_never_exceeds_the_default_cookie_header_budget() {
    use cookie_seal::cookie::DEFAULT_COOKIE_HEADER_BUDGET;
    let cookies = cookies(CookieConfig::default().chunking(MAX_CHUNKS));
    let budget = cookies.config().token_budget();
    assert_eq!(cookies.codec().settings().token_budget(), budget);
    for len in [4090, 5000, budget - 1, budget] {
        let set = cookies
            .set_cookies(&"A".repeat(len), &PresentCookies::none())
            .unwrap();
        let header = cookie_header(&set);
        assert!(
            header.len() <= DEFAULT_COOKIE_HEADER_BUDGET,
            "{len}: {}",
            header.len()
        );
        assert_eq!(set.len(), 2);
    }
    let header = cookie_header(
        &cookies
            .set_cookies(&"A".repeat(budget), &PresentCookies::none())
            .unwrap(),
    );
    assert!(
        DEFAULT_COOKIE_HEADER_BUDGET - header.len() < 4,
        "{}",
        header.len()
    );
    assert_eq!(
        cookies.set_cookies(&"A".repeat(budget + 1), &PresentCookies::none()),
        Err(Error::TooLarge {
            len: budget + 1,
            limit: budget
        })
    );
    // The codec refuses such a session before anything is rendered.
    let session = session_with("pad", budget);
    assert!(matches!(
        cookies.save(&cookies.load([], now()), &session, now()),
        Err(Error::TooLarge { .. })
    ));
    // A budget below one small cookie is an invalid setting.
    assert!(matches!(
        CookieConfig::default().header_budget(100).validate(),
        Err(Error::InvalidOption(_))
    ));
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

/// Defect 3 of issue #13: one stray `session.N` cookie broke a valid
/// chunked session. Strays past the count, a junk copy of a chunk and a junk
/// single cookie beside the chunks are all ignored now.
#[test]
fn stray_duplicate_and_mixed_chunks_do_not_break_a_valid_session() {
    let cookies = chunked(4);
    let full = chunked_cookies(&cookies, 9000);
    let session = cookies
        .load::<Session>([header_of(&full).as_str()], now())
        .session();
    assert!(!session.is_empty());
    let stray = format!("{}; session.3=AAAA", header_of(&full));
    let duplicate = format!("session.1=AAAA; {}", header_of(&full));
    let mixed = format!("session=AAAA; {}", header_of(&full));
    for header in [stray, duplicate, mixed] {
        let loaded = cookies.load::<Session>([header.as_str()], now());
        assert_eq!(loaded.error(), None, "{}", &header[..40]);
        assert_eq!(loaded.session(), session);
    }
    // A stray chunk beside a valid single cookie.
    let single = cookies
        .store(&7u32, &EncodeOptions::new(), &PresentCookies::none(), now())
        .unwrap();
    let header = format!("session.5=AAAA; {}; session.0=2.x", cookie_header(&single));
    let loaded = cookies.load::<u32>([header.as_str()], now());
    assert_eq!(loaded.decoded().map(|d| d.value), Some(7));
    // The next save removes the strays the request carried.
    let present = loaded.present();
    assert_eq!(present.chunk_indices().collect::<Vec<_>>(), [0, 5]);
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
            cookies.load::<Session>([header.as_str()], now()).error(),
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

/// Defect 4 of issue #13: a lifetime under a second rendered `Max-Age=0`,
/// which deletes the cookie at once. Fractions round up; zero is refused,
/// in the config and in the codec.
#[test]
fn sub_second_lifetimes_round_up_and_zero_is_refused() {
    let from_config = cookies(CookieConfig::default().max_age(Duration::from_millis(500)));
    let from_codec = SessionCookie::new(
        sealed().max_age(Duration::from_millis(999)),
        CookieConfig::default(),
    )
    .unwrap();
    for cookies in [from_config, from_codec] {
        let set = cookies
            .store(&1u8, &EncodeOptions::new(), &PresentCookies::none(), now())
            .unwrap();
        assert!(set[0].contains("; Max-Age=1"), "{}", set[0]);
        assert!(!set[0].contains("Max-Age=0"), "{}", set[0]);
    }
    // The token of a 999 ms codec lives for a (rounded-up) second.
    let codec = sealed().max_age(Duration::from_millis(999));
    let token = codec.encode_at(&1u8, now()).unwrap();
    assert!(codec
        .decode_at::<u8>(&token, now() + Duration::from_secs(1))
        .is_ok());
    assert!(matches!(
        codec.decode_at::<u8>(&token, now() + Duration::from_secs(2)),
        Err(Error::Expired { .. })
    ));
    for zero in [
        SessionCookie::new(sealed().max_age(Duration::ZERO), CookieConfig::default()),
        SessionCookie::new(sealed(), CookieConfig::default().max_age(Duration::ZERO)),
    ] {
        assert!(matches!(zero, Err(Error::InvalidOption(_))), "{zero:?}");
    }
}

/// Sends `GET /` with `cookie` as the Cookie header to the nginx that
/// `.ci/steps/60-nginx.sh` starts (front proxy, backend answering with the
/// Cookie header it received). Returns the status code and the body.
fn through_nginx(address: &str, cookie: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The largest chunked session of the default config passes nginx's default
/// header limits (one header line up to 8 KiB), with 700 bytes of other
/// cookies beside it, and reaches the backend whole; a three-chunk session,
/// which the default header budget refuses to write, gets nginx's 400.
/// Needs `.ci/steps/60-nginx.sh` (`COOKIE_SEAL_NGINX`); skips without it
/// unless `COOKIE_SEAL_REQUIRE_NGINX=1`.
#[test]
fn chunked_sessions_pass_a_default_nginx() {
    let Ok(address) = std::env::var("COOKIE_SEAL_NGINX") else {
        assert!(
            std::env::var("COOKIE_SEAL_REQUIRE_NGINX").is_err(),
            "COOKIE_SEAL_REQUIRE_NGINX is set but COOKIE_SEAL_NGINX is not"
        );
        eprintln!("skipping: no nginx (run .ci/steps/60-nginx.sh)");
        return;
    };
    let cookies = cookies(CookieConfig::default().chunking(MAX_CHUNKS));
    // The largest session the default config stores: binary search on size.
    let (mut fits, mut too_big) = (0, 16 * 1024);
    while too_big - fits > 1 {
        let mid = (fits + too_big) / 2;
        match cookies.save(&cookies.load([], now()), &session_with("pad", mid), now()) {
            Ok(_) => fits = mid,
            Err(_) => too_big = mid,
        }
    }
    let largest = session_with("pad", fits);
    let set = cookies
        .save(&cookies.load([], now()), &largest, now())
        .unwrap();
    assert_eq!(set.len(), 2, "the largest default session takes two chunks");
    let session_cookies = cookie_header(&set);
    let others = format!(
        "theme=dark; _ga={}; csrftoken={}",
        "g".repeat(600),
        "c".repeat(64)
    );
    let header = format!("{others}; {session_cookies}");
    let (status, body) = through_nginx(&address, &header);
    assert_eq!(status, 200, "{} byte Cookie header", header.len());
    assert_eq!(body, header, "the backend got the whole Cookie header");
    let loaded = cookies.load::<Session>([body.as_str()], now());
    assert_eq!(loaded.session(), largest);
    eprintln!(
        "largest default session: {fits} payload bytes, {} byte session cookies, {} byte Cookie header: 200",
        session_cookies.len(),
        header.len()
    );

    // What the issue measured: three chunks of about 4,000 bytes.
    let roomy = chunked(3);
    let three = cookie_header(
        &roomy
            .save(&roomy.load([], now()), &session_with("pad", 8000), now())
            .unwrap(),
    );
    assert_eq!(three.matches("session.").count(), 3);
    let (status, _) = through_nginx(&address, &three);
    assert_eq!(status, 400, "{} byte Cookie header", three.len());
}

/// A `Session` as written on the wire, with its entries in any order.
#[derive(serde::Serialize)]
struct RawSession {
    id: Option<[u8; 32]>,
    entries: RawEntries,
}

struct RawEntries(Vec<(&'static str, Vec<u8>)>);

impl serde::Serialize for RawEntries {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// Authentic `Session` payloads with unsorted or repeated keys are a second
/// spelling of one session (or two values for one key): readers refuse them.
#[test]
fn readers_reject_non_canonical_session_maps() {
    let cookies = cookies(CookieConfig::default());
    let codec = cookies.codec();
    let raw = |entries: Vec<(&'static str, Vec<u8>)>| RawSession {
        id: None,
        entries: RawEntries(entries),
    };
    let sorted = raw(vec![("a", vec![1]), ("b", vec![2])]);
    let unsorted = raw(vec![("b", vec![2]), ("a", vec![1])]);
    let repeated = raw(vec![("a", vec![1]), ("a", vec![3])]);
    let token = |value: &RawSession| {
        codec
            .encode_with(
                value,
                &EncodeOptions::new().context(cookies.context()),
                now(),
            )
            .unwrap()
    };
    let decoded = codec
        .decode_with::<Session>(&token(&sorted), &cookies.decode_options(), now())
        .unwrap();
    assert_eq!(decoded.value.get::<u8>("b").unwrap(), Some(2));
    for bad in [unsorted, repeated] {
        let token = token(&bad);
        assert_eq!(
            codec
                .decode_with::<Session>(&token, &cookies.decode_options(), now())
                .map(|d| d.value),
            Err(Error::Deserialize)
        );
        let loaded = cookies.load::<Session>([format!("session={token}").as_str()], now());
        assert_eq!(loaded.error(), Some(&Error::Deserialize));
    }
}

/// Under a header budget below one full cookie, the single cookie is sized
/// to it too: `name=value` fills the budget exactly, one byte more is refused.
#[test]
fn a_tight_header_budget_also_bounds_the_single_cookie() {
    let cookies = cookies(CookieConfig::default().header_budget(2000));
    let room = 2000 - "session=".len();
    assert_eq!(cookies.codec().settings().token_budget(), room);
    let set = cookies
        .set_cookies(&"A".repeat(room), &PresentCookies::none())
        .unwrap();
    assert_eq!(cookie_header(&set).len(), 2000);
    assert_eq!(
        cookies.set_cookies(&"A".repeat(room + 1), &PresentCookies::none()),
        Err(Error::TooLarge {
            len: 2001,
            limit: 2000
        })
    );
}

/// Every combination of duplicated chunk values is tried (the real one is
/// not the first value of any chunk), up to 16 candidates in all: 16 load,
/// 17 are `TooManyCookies`.
#[test]
fn every_combination_of_duplicated_chunks_is_tried_up_to_the_limit() {
    let cookies = chunked(4);
    let full = chunked_cookies(&cookies, 9000);
    assert_eq!(full.len(), 3);
    let session = cookies
        .load::<Session>([header_of(&full).as_str()], now())
        .session();
    // Chunk 1: three junk values, then the real one; chunk 2: one junk
    // value, the real one, two more junk: 4 x 4 = 16 combinations.
    let mut pairs = vec![full[0].clone()];
    for junk in ["AAAA", "BBBB", "CCCC"] {
        pairs.push(("session.1".to_owned(), junk.to_owned()));
    }
    pairs.push(full[1].clone());
    pairs.push(("session.2".to_owned(), "DDDD".to_owned()));
    pairs.push(full[2].clone());
    for junk in ["EEEE", "FFFF"] {
        pairs.push(("session.2".to_owned(), junk.to_owned()));
    }
    let loaded = cookies.load::<Session>([header_of(&pairs).as_str()], now());
    assert_eq!(loaded.error(), None);
    assert_eq!(loaded.session(), session);
    // One single cookie more makes 17 candidates.
    pairs.push(("session".to_owned(), "GGGG".to_owned()));
    let loaded = cookies.load::<Session>([header_of(&pairs).as_str()], now());
    assert_eq!(
        loaded.error(),
        Some(&Error::TooManyCookies {
            count: 17,
            limit: 16
        })
    );
}

/// A full single cookie (4096 bytes) over a smaller header budget reports
/// the header budget, not the cookie limit.
#[test]
fn a_full_cookie_over_a_smaller_header_budget_names_the_budget() {
    let cookies = cookies(CookieConfig::default().header_budget(4000));
    assert_eq!(
        cookies.set_cookies(&"A".repeat(4089), &PresentCookies::none()),
        Err(Error::TooLarge {
            len: 4097,
            limit: 4000
        })
    );
    assert_eq!(
        cookies.set_cookies(&"A".repeat(4090), &PresentCookies::none()),
        Err(Error::TooLarge {
            len: 4097,
            limit: 4096
        })
    );
}
