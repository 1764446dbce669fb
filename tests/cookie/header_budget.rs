//! Size limits: the 4096-byte cookie limit and the `Cookie` header budget.

use super::*;

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
    // The token is in its longest re-issue form (a 5-byte key ID, a
    // created-delta as long as the issue time), so nothing is held back for
    // a re-issue and the cookie fills to the byte.
    let cookies = SessionCookie::new(
        Codec::sealed(keyring(u32::MAX, 0x11)),
        CookieConfig::new("__Host-session").unwrap(),
    )
    .unwrap();
    let first_issue = SystemTime::UNIX_EPOCH + Duration::from_secs(1);
    let mut largest = 0;
    for bytes in 2900..3200 {
        let session = session_with("pad", bytes);
        match cookies.store(
            &session,
            &EncodeOptions::new().created_at(first_issue),
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
