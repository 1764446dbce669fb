//! Arbitrary `Cookie` header lines into `SessionCookie::load` and `save`,
//! with real session cookies (single or chunked) mixed in, duplicated and
//! shuffled among junk.
//!
//! Must hold, beyond "no panic":
//! - a session that loads is never deleted by `save` of the unchanged
//!   session, and after `AmbiguousCookie` or `TooManyCookies` nothing is;
//! - when the junk alone carries no authentic cookie, the user's cookies
//!   (session A) plus junk load as A, or as `TooManyCookies` (never another
//!   error, never deleted); A plus another authentic session B load as
//!   `AmbiguousCookie` or `TooManyCookies`.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::{Codec, Error, SessionMap};
use cookie_seal_fuzz::{keyring, now};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    /// Header fragments: cookie pairs, partial pairs, separators, anything.
    junk: Vec<String>,
    /// Session A's cookies: `None`, or (chunked?, copies 1 to 3).
    user: Option<(bool, u8)>,
    /// Session B's cookies, a second authentic session.
    other: Option<(bool, u8)>,
    /// Shuffles the pairs.
    seed: u64,
    /// Splits the pairs over several `Cookie` headers (as HTTP/2 may).
    split: bool,
}

struct Fixture {
    cookies: SessionCookie,
    /// `[single, chunked]` request pairs (`name=value`) for sessions A and B.
    user: [Vec<String>; 2],
    other: [Vec<String>; 2],
    user_session: [SessionMap; 2],
}

fn pairs(cookies: &SessionCookie, session: &SessionMap) -> Vec<String> {
    let set = match cookies.save(&cookies.load([], now()), session, now()) {
        Ok(set) => set,
        Err(e) => panic!("fixture session does not save: {e}"),
    };
    set.iter()
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .collect()
}

fn session(user: &str, pad: usize) -> SessionMap {
    let mut session = SessionMap::new();
    let filler: String = (0..pad)
        .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
        .collect();
    if session.insert("user", user).is_err() || session.insert("pad", &filler).is_err() {
        unreachable!("strings serialize");
    }
    session
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let cookies = match SessionCookie::new(
            Codec::sealed(keyring()),
            CookieConfig::default().chunking(4),
        ) {
            Ok(cookies) => cookies,
            Err(e) => panic!("fixture config: {e}"),
        };
        let user_session = [session("alice", 10), session("alice", 4000)];
        let user = [
            pairs(&cookies, &user_session[0]),
            pairs(&cookies, &user_session[1]),
        ];
        let other = [
            pairs(&cookies, &session("mallory", 10)),
            pairs(&cookies, &session("mallory", 4000)),
        ];
        assert!(
            user[1].len() == 2 && other[1].len() == 2,
            "chunked fixtures"
        );
        Fixture {
            cookies,
            user,
            other,
            user_session,
        }
    })
}

/// Joins the pairs into one `Cookie` header, or one header per pair.
fn headers(pairs: &[String], split: bool) -> Vec<String> {
    if split {
        pairs.to_vec()
    } else {
        vec![pairs.join("; ")]
    }
}

fn shuffle(pairs: &mut [String], mut seed: u64) {
    for i in (1..pairs.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        pairs.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

/// `save` of the unchanged session must not delete a loaded cookie, nor
/// anything when the request was ambiguous.
fn check_save(cookies: &SessionCookie, header_refs: &[&str]) {
    let loaded = cookies.load::<SessionMap>(header_refs.iter().copied(), now());
    let undecided = matches!(
        loaded.error(),
        Some(Error::AmbiguousCookie { .. } | Error::TooManyCookies { .. })
    );
    if loaded.decoded().is_some() || undecided {
        match cookies.save(&loaded, &loaded.session(), now()) {
            Ok(set) => assert!(
                set.iter().all(|c| !c.contains("Max-Age=0")),
                "a valid or undecided cookie was deleted: {set:?}"
            ),
            Err(e) => panic!("save of an unchanged session failed: {e}"),
        }
    }
}

fuzz_target!(|input: Input| {
    let fixture = fixture();
    let cookies = &fixture.cookies;
    let junk: Vec<String> = input.junk.iter().take(64).cloned().collect();
    let mut pairs = junk.clone();
    if let Some((chunked, copies)) = input.user {
        for _ in 0..=copies % 3 {
            pairs.extend(fixture.user[usize::from(chunked)].iter().cloned());
        }
    }
    if let Some((chunked, copies)) = input.other {
        for _ in 0..=copies % 3 {
            pairs.extend(fixture.other[usize::from(chunked)].iter().cloned());
        }
    }
    shuffle(&mut pairs, input.seed);
    let all = headers(&pairs, input.split);
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let loaded = cookies.load::<SessionMap>(refs.iter().copied(), now());
    // read_token and present never panic either.
    let _ = cookies.read_token(refs.iter().copied());
    let _ = cookies.present(refs.iter().copied());
    check_save(cookies, &refs);

    // The oracle needs junk without authentic content of its own.
    let junk_headers = headers(&junk, input.split);
    let junk_loaded = cookies.load::<SessionMap>(junk_headers.iter().map(String::as_str), now());
    let junk_is_inert = junk_loaded.decoded().is_none()
        && !matches!(junk_loaded.error(), Some(Error::AmbiguousCookie { .. }));
    if !junk_is_inert {
        return;
    }
    match (input.user, input.other) {
        (Some((chunked, _)), None) => match (loaded.decoded(), loaded.error()) {
            (Some(decoded), None) => {
                assert_eq!(decoded.value, fixture.user_session[usize::from(chunked)]);
            }
            (None, Some(Error::TooManyCookies { .. })) => {}
            (_, error) => panic!("the user's cookie was lost among junk: {error:?}"),
        },
        (Some(_), Some(_)) => assert!(
            matches!(
                loaded.error(),
                Some(Error::AmbiguousCookie { .. } | Error::TooManyCookies { .. })
            ),
            "two authentic sessions were not refused: {:?}",
            loaded.error()
        ),
        _ => {}
    }
});
