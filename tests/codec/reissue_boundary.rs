//! A session accepted once never fails to re-issue (issue 19, "re-issue near
//! the size limit"): the largest session that encodes, in each mode, is
//! re-issued through `SessionCookie::save` after `reissue_after` (which adds
//! the created-delta field, then lengthens it) and after a rotation to a key
//! with a longer ID.

use cookie_seal::cookie::{CookieConfig, Loaded, SessionCookie};

use crate::fixtures::ByteString;

use super::*;

const NAME: &str = "session";
const DAY: u64 = 86_400;

fn cookies(mode: Mode, keys: Keyring, pad_to: Option<usize>) -> SessionCookie {
    let mut codec = Codec::new(mode, keys)
        .max_age(Duration::from_secs(DAY))
        .reissue_after(Duration::from_secs(60));
    if let Some(bucket) = pad_to {
        codec = codec.pad_to(bucket);
    }
    SessionCookie::new(codec, CookieConfig::new(NAME).unwrap()).unwrap()
}

/// A logged-in session holding `len` incompressible bytes.
fn session_of(len: usize) -> SessionMap {
    let mut session = SessionMap::new();
    session.clear_and_regenerate().unwrap();
    session.insert("blob", &ByteString(&noise(len))).unwrap();
    session
}

/// The `Cookie` request line a browser sends back after `set`.
fn request_line(set: &[String]) -> String {
    assert_eq!(set.len(), 1, "one cookie: {set:?}");
    set[0].split(';').next().unwrap().to_owned()
}

/// The request line of the largest session that `cookies` writes at `now`,
/// and that session; a session one byte larger is refused.
fn largest(cookies: &SessionCookie, now: SystemTime) -> (String, SessionMap) {
    let fresh = cookies.load::<SessionMap>(std::iter::empty(), now);
    let save = |len| cookies.save(&fresh, &session_of(len), now);
    let (mut fits, mut refused) = (0, 5000);
    assert!(save(fits).is_ok() && save(refused).is_err());
    while refused - fits > 1 {
        let mid = (fits + refused) / 2;
        if save(mid).is_ok() {
            fits = mid;
        } else {
            refused = mid;
        }
    }
    assert!(
        matches!(save(refused), Err(Error::TooLarge { .. })),
        "one byte more is too large"
    );
    let session = session_of(fits);
    let line = request_line(&cookies.save(&fresh, &session, now).unwrap());
    (line, session)
}

/// Loads `line` at `now` with `cookies`, checks that a re-issue is due and
/// that `save` of the unchanged session writes it again with the same
/// values and creation time; returns the new request line.
fn reissue(cookies: &SessionCookie, line: &str, now: SystemTime, created: SystemTime) -> String {
    let loaded: Loaded<SessionMap> = cookies.load([line], now);
    assert_eq!(loaded.error(), None);
    assert!(loaded.needs_reissue());
    let session = loaded.session();
    let set = match cookies.save(&loaded, &session, now) {
        Ok(set) => set,
        Err(error) => panic!("an accepted session must re-issue, got {error:?}"),
    };
    let line = request_line(&set);
    let again = cookies.load::<SessionMap>([line.as_str()], now);
    let decoded = again.decoded().expect("the re-issued cookie verifies");
    assert_eq!(decoded.value, session);
    assert_eq!(
        decoded.created_at, created,
        "the creation time carries over"
    );
    assert!(line.len() - NAME.len() - 1 <= cookies.codec().settings().token_budget());
    line
}

fn check_mode(mode: Mode, pad_to: Option<usize>) {
    let t0 = at(T0);
    let before = cookies(mode, fixtures::ring(&[(1, 1)]), pad_to);
    let (first, _) = largest(&before, t0);
    // After `reissue_after`: the created-delta field appears (2 bytes for
    // 120 s), then grows to 3 bytes (from 2^14 s) and 4 bytes (from 2^21 s,
    // 24 days), re-issued within the idle lifetime at each step.
    let mut line = first.clone();
    let steps = [120, 20_000]
        .into_iter()
        .chain((100_000..=2_200_000).step_by(80_000));
    for secs in steps {
        line = reissue(&before, &line, at(T0 + secs), t0);
    }
    // After a rotation to a key whose ID takes the longest varint (5 bytes
    // against 1), on the first token and on the last one.
    let rotated = cookies(mode, fixtures::ring(&[(u32::MAX, 2), (1, 1)]), pad_to);
    reissue(&rotated, &first, at(T0 + 120), t0);
    let last = reissue(&rotated, &line, at(T0 + 2_180_100), t0);
    // And a re-issue under the rotated key after that.
    reissue(&rotated, &last, at(T0 + 2_250_000), t0);
}

#[test]
fn the_largest_signed_session_reissues_after_reissue_after_and_after_a_rotation() {
    check_mode(Mode::Signed, None);
}

#[test]
fn the_largest_sealed_session_reissues_after_reissue_after_and_after_a_rotation() {
    check_mode(Mode::Sealed, None);
}

#[test]
fn the_largest_padded_sealed_session_reissues_after_reissue_after_and_after_a_rotation() {
    check_mode(Mode::Sealed, Some(64));
}

/// The one case the budget cannot cover: a signed token near the budget,
/// read by a sealed codec that accepts signed tokens (migration), does not
/// fit sealed. A read-only request then keeps the signed cookie instead of
/// failing; a change that does not fit is still `TooLarge`.
#[test]
fn a_signed_session_too_large_to_reissue_sealed_keeps_its_cookie() {
    let t0 = at(T0);
    let signed = cookies(Mode::Signed, fixtures::ring(&[(1, 1)]), None);
    let (line, _) = largest(&signed, t0);
    let sealed = SessionCookie::new(
        Codec::sealed(fixtures::ring(&[(1, 1)])).accept_signed(true),
        CookieConfig::new(NAME).unwrap(),
    )
    .unwrap();
    let loaded = sealed.load::<SessionMap>([line.as_str()], at(T0 + 10));
    assert!(
        loaded.needs_reissue(),
        "a signed token asks to be re-issued sealed"
    );
    let mut session = loaded.session();
    assert_eq!(sealed.save(&loaded, &session, at(T0 + 10)), Ok(Vec::new()));
    session.insert("more", &1u8).unwrap();
    assert!(matches!(
        sealed.save(&loaded, &session, at(T0 + 10)),
        Err(Error::TooLarge { .. })
    ));
}
