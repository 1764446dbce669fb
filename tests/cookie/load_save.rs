//! Load and save decisions: round trips, rejection and deletion, reissue, logout, rotation.

use super::*;

fn alice() -> SessionMap {
    let mut session = SessionMap::new();
    session.insert("user", "alice").unwrap();
    session
}

#[test]
fn load_round_trips_and_ignores_other_cookies() {
    let cookies = cookies(CookieConfig::default());
    let session = alice();
    let set = store_fresh(&cookies, &session);
    let header = format!(
        "theme=dark; junk; ={}; {}; other=1",
        "x",
        cookie_header(&set)
    );
    let loaded = cookies.load::<SessionMap>([header.as_str()], now());
    assert_eq!(loaded.error(), None);
    assert_eq!(loaded.session(), session);
    assert!(loaded.present().has_single());
    // Split across two Cookie headers (HTTP/2 style) works the same.
    let loaded = cookies.load::<SessionMap>(["theme=dark", header.as_str()], now());
    assert_eq!(loaded.session(), session);
}

#[test]
fn missing_cookie_is_an_empty_session_without_error() {
    let cookies = cookies(CookieConfig::default());
    let loaded = cookies.load::<SessionMap>(["other=1; sessionx=2"], now());
    assert!(loaded.decoded().is_none() && loaded.error().is_none());
    assert!(loaded.present().is_empty());
    assert!(loaded.session().is_empty());
    assert_eq!(cookies.save(&loaded, &loaded.session(), now()), Ok(vec![]));
}

#[test]
fn tampered_and_expired_cookies_are_rejected_and_deleted() {
    let cookies = cookies(CookieConfig::default());
    let session = alice();
    let set = store_fresh(&cookies, &session);
    let header = cookie_header(&set);
    // Flip one character in the middle of the token.
    let mut bytes = header.into_bytes();
    let middle = bytes.len() / 2;
    bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    let loaded = cookies.load::<SessionMap>([tampered.as_str()], now());
    assert_eq!(loaded.error(), Some(&Error::Invalid));
    assert!(loaded.session().is_empty());
    let removal = cookies.save(&loaded, &loaded.session(), now()).unwrap();
    assert_eq!(removal.len(), 1);
    assert!(removal[0].starts_with("session=; ") && removal[0].contains("Max-Age=0"));

    let later = now() + Duration::from_secs(86_400 + 1);
    let valid = cookie_header(&set);
    let loaded = cookies.load::<SessionMap>([valid.as_str()], later);
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
    let set = store_fresh(&a, &"secret");
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
fn save_sends_nothing_for_an_unchanged_session() {
    let cookies = cookies(CookieConfig::default());
    let mut session = SessionMap::new();
    session.insert("n", &1u8).unwrap();
    let set = cookies.save(&cookies.load([], now()), &session, now());
    let set = set.unwrap();
    let header = cookie_header(&set);
    let loaded = cookies.load::<SessionMap>([header.as_str()], now());
    assert_eq!(cookies.save(&loaded, &loaded.session(), now()), Ok(vec![]));
}

#[test]
fn save_carries_creation_time_over_and_regenerate_starts_afresh() {
    let cookies = cookies(CookieConfig::default());
    let t0 = now();
    let mut session = SessionMap::new();
    session.insert("n", &1u8).unwrap();
    let first = cookies
        .save(&cookies.load([], now()), &session, t0)
        .unwrap();

    let t1 = t0 + Duration::from_secs(100);
    let header = cookie_header(&first);
    let (second, _) = edit_and_save(&cookies, &header, t1, |s| {
        s.insert("n", &2u8).unwrap();
    });
    let header2 = cookie_header(&second);
    let reread = |header: &str| {
        cookies
            .load::<SessionMap>([header], t1)
            .into_decoded()
            .unwrap()
    };
    let decoded = reread(&header2);
    assert_eq!(decoded.created_at, t0, "update keeps created_at");
    assert_eq!(decoded.issued_at, t1);

    let (third, _) = edit_and_save(&cookies, &header2, t1, |s| {
        s.regenerate().unwrap();
    });
    let decoded = reread(&cookie_header(&third));
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
    let loaded = cookies.load::<SessionMap>([header.as_str()], now());
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
    let mut session = SessionMap::new();
    session.insert("user", "alice").unwrap();
    let t0 = now();
    let set = old.save(&old.load([], now()), &session, t0).unwrap();

    let mut ring = keyring(2, 0x22);
    ring.add(1, Key::from_bytes(&[0x11; 32]).unwrap()).unwrap();
    let new = SessionCookie::new(Codec::sealed(ring), CookieConfig::default()).unwrap();
    let t1 = t0 + Duration::from_secs(60);
    let header = cookie_header(&set);
    let loaded = new.load::<SessionMap>([header.as_str()], t1);
    assert!(loaded.needs_reissue());
    let reissued = new.save(&loaded, &loaded.session(), t1).unwrap();
    assert_eq!(reissued.len(), 1);
    let (_, token) = name_value(&reissued[0]);
    let header = inspect(token).unwrap();
    assert_eq!(header.key_id(), 2);
    // A sealed token's creation time is encrypted: read it with the key.
    let created_at = new
        .codec()
        .decode_with::<SessionMap>(token, &new.decode_options(), t1)
        .unwrap()
        .created_at;
    assert_eq!(created_at, t0);
    let again = new.load::<SessionMap>([cookie_header(&reissued).as_str()], t1);
    assert!(!again.needs_reissue());
    assert_eq!(again.session(), session);
}

/// A `SessionMap` as written on the wire, with its entries in any order.
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

/// Authentic `SessionMap` payloads with unsorted or repeated keys are a second
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
        .decode_with::<SessionMap>(&token(&sorted), &cookies.decode_options(), now())
        .unwrap();
    assert_eq!(decoded.value.get::<u8>("b").unwrap(), Some(2));
    for bad in [unsorted, repeated] {
        let token = token(&bad);
        assert_eq!(
            codec
                .decode_with::<SessionMap>(&token, &cookies.decode_options(), now())
                .map(|d| d.value),
            Err(Error::Deserialize)
        );
        let loaded = cookies.load::<SessionMap>([format!("session={token}").as_str()], now());
        assert_eq!(loaded.error(), Some(&Error::Deserialize));
    }
}
