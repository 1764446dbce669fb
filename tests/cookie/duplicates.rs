//! Same-named cookies: duplicates, planted authentic cookies, stray chunks and the candidate limit.

use super::*;

#[test]
fn the_one_verifying_duplicate_wins_over_junk_in_any_order() {
    let cookies = cookies(CookieConfig::default());
    let set = store_fresh(&cookies, &7u32);
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
        let mut session = SessionMap::new();
        session.insert("user", user).unwrap();
        let loaded = cookies.load::<SessionMap>([], now());
        cookie_header(&cookies.save(&loaded, &session, now()).unwrap())
    };
    let (user, attacker) = (cookie_for("alice"), cookie_for("mallory"));
    for header in [format!("{attacker}; {user}"), format!("{user}; {attacker}")] {
        let loaded = cookies.load::<SessionMap>([header.as_str()], now());
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
    let mut session = SessionMap::new();
    session.insert("user", "alice").unwrap();
    let own = cookie_header(&host.save(&host.load([], now()), &session, now()).unwrap());
    let loaded = host.load::<SessionMap>([format!("session=x; {own}").as_str()], now());
    assert_eq!(loaded.error(), None);
}

/// Junk siblings can never get a valid cookie deleted: past the number of
/// candidates checked, the request is refused without any deletion.
#[test]
fn too_many_same_named_cookies_delete_nothing() {
    let cookies = cookies(CookieConfig::default());
    let real = cookie_header(&store_fresh(&cookies, &7u32));
    let junk: Vec<String> = (0..40).map(|i| format!("session=junk{i}")).collect();
    let header = format!("{}; {real}", junk.join("; "));
    let loaded = cookies.load::<SessionMap>([header.as_str()], now());
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
    let mut session = SessionMap::new();
    session.insert("user", "alice").unwrap();
    let real = cookie_header(
        &cookies
            .save(&cookies.load([], now()), &session, now())
            .unwrap(),
    );
    let header = format!("{}; {real}", junk[..12].join("; "));
    let loaded = cookies.load::<SessionMap>([header.as_str()], now());
    assert_eq!(loaded.session(), session);
    assert!(cookies
        .save(&loaded, &loaded.session(), now())
        .unwrap()
        .is_empty());
    // Forged cookies alone are rejected and deleted as before.
    let loaded = cookies.load::<SessionMap>(["session=junk"], now());
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

/// Defect 3 of issue #13: one stray `session.N` cookie broke a valid
/// chunked session. Strays past the count, a junk copy of a chunk and a junk
/// single cookie beside the chunks are all ignored now.
#[test]
fn stray_duplicate_and_mixed_chunks_do_not_break_a_valid_session() {
    let cookies = chunked(4);
    let full = chunked_cookies(&cookies, 9000);
    let session = cookies
        .load::<SessionMap>([header_of(&full).as_str()], now())
        .session();
    assert!(!session.is_empty());
    let stray = format!("{}; session.3=AAAA", header_of(&full));
    let duplicate = format!("session.1=AAAA; {}", header_of(&full));
    let mixed = format!("session=AAAA; {}", header_of(&full));
    for header in [stray, duplicate, mixed] {
        let loaded = cookies.load::<SessionMap>([header.as_str()], now());
        assert_eq!(loaded.error(), None, "{}", &header[..40]);
        assert_eq!(loaded.session(), session);
    }
    // A stray chunk beside a valid single cookie.
    let single = store_fresh(&cookies, &7u32);
    let header = format!("session.5=AAAA; {}; session.0=2.x", cookie_header(&single));
    let loaded = cookies.load::<u32>([header.as_str()], now());
    assert_eq!(loaded.decoded().map(|d| d.value), Some(7));
    // The next save removes the strays the request carried.
    let present = loaded.present();
    assert_eq!(present.chunk_indices().collect::<Vec<_>>(), [0, 5]);
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
        .load::<SessionMap>([header_of(&full).as_str()], now())
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
    let loaded = cookies.load::<SessionMap>([header_of(&pairs).as_str()], now());
    assert_eq!(loaded.error(), None);
    assert_eq!(loaded.session(), session);
    // One single cookie more makes 17 candidates.
    pairs.push(("session".to_owned(), "GGGG".to_owned()));
    let loaded = cookies.load::<SessionMap>([header_of(&pairs).as_str()], now());
    assert_eq!(
        loaded.error(),
        Some(&Error::TooManyCookies {
            count: 17,
            limit: 16
        })
    );
}
