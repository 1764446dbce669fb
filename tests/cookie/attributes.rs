//! `CookieConfig` attributes: rendering, validation and `Max-Age`.

use super::*;

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
        let set = store_fresh(&cookies, &1u8);
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

#[test]
fn getters_show_the_configuration() {
    use cookie_seal::cookie::{DEFAULT_COOKIE_HEADER_BUDGET, MIN_COOKIE_HEADER_BUDGET};
    let default = CookieConfig::new("sid").unwrap();
    assert_eq!(
        (
            default.name(),
            default.max_chunks(),
            default.cookie_header_budget(),
            default.configured_max_age(),
            default.is_browser_session()
        ),
        ("sid", 1, DEFAULT_COOKIE_HEADER_BUDGET, None, false)
    );
    let set = CookieConfig::new("sid")
        .unwrap()
        .chunking(3)
        .header_budget(MIN_COOKIE_HEADER_BUDGET)
        .max_age(Duration::from_secs(90));
    assert_eq!(
        (
            set.max_chunks(),
            set.cookie_header_budget(),
            set.configured_max_age()
        ),
        (3, MIN_COOKIE_HEADER_BUDGET, Some(Duration::from_secs(90)))
    );
    assert_eq!(
        set.validate(),
        Ok(()),
        "the smallest header budget is valid"
    );
    assert!(set
        .header_budget(MIN_COOKIE_HEADER_BUDGET - 1)
        .validate()
        .is_err());
    let browser = CookieConfig::new("sid").unwrap().browser_session(true);
    assert!(browser.is_browser_session());
    assert_eq!(browser.name(), "sid");
}

/// CHIPS (Flask 3.1's `SESSION_COOKIE_PARTITIONED`): `Partitioned` is
/// rendered by the `cookie` crate on the session cookie, on every chunk and
/// on removals (a partitioned cookie is deleted only by a partitioned
/// removal), and it needs `Secure`.
#[test]
fn partitioned_is_rendered_on_cookies_chunks_and_removals() {
    let config = CookieConfig::new("__Host-session")
        .unwrap()
        .same_site(SameSite::None)
        .partitioned(true);
    assert!(config.is_partitioned());
    assert_eq!(config.validate(), Ok(()));
    let cookies = cookies(config);
    let set = cookies
        .set_cookies("TOKEN", &PresentCookies::none())
        .unwrap();
    assert_eq!(
        set,
        ["__Host-session=TOKEN; HttpOnly; SameSite=None; Partitioned; Secure; Path=/; Max-Age=86400"]
    );
    let removal = cookies.removal_cookies(&PresentCookies::none());
    assert!(
        removal[0].starts_with(
            "__Host-session=; HttpOnly; SameSite=None; Partitioned; Secure; Path=/; Max-Age=0; Expires="
        ),
        "{}",
        removal[0]
    );

    let chunked = cookies_chunked_partitioned();
    let long = "t".repeat(6000);
    let set = chunked.set_cookies(&long, &PresentCookies::none()).unwrap();
    assert_eq!(set.len(), 2, "two chunks");
    for cookie in set
        .iter()
        .chain(&chunked.removal_cookies(&PresentCookies::none().chunks(2)))
    {
        assert!(cookie.contains("; Partitioned"), "{cookie}");
    }

    // Off by default, and never rendered when off.
    let plain = CookieConfig::default();
    assert!(!plain.is_partitioned());
    let set = self::cookies(plain.clone())
        .set_cookies("T", &PresentCookies::none())
        .unwrap();
    assert!(!set[0].contains("Partitioned"), "{}", set[0]);
    assert!(
        !self::cookies(plain).removal_cookies(&PresentCookies::none())[0].contains("Partitioned")
    );
}

fn cookies_chunked_partitioned() -> SessionCookie {
    cookies(CookieConfig::default().chunking(3).partitioned(true))
}

#[test]
fn partitioned_needs_secure_and_allows_any_name() {
    let insecure = CookieConfig::default().partitioned(true).secure(false);
    assert_eq!(
        insecure.validate(),
        Err(Error::InvalidOption("a Partitioned cookie needs Secure"))
    );
    assert!(SessionCookie::new(sealed(), insecure).is_err());
    // CHIPS recommends __Host-, but browsers do not require it: a plain
    // name with a Domain is valid too.
    for name in ["__Host-s", "__Secure-s", "session"] {
        assert_eq!(
            CookieConfig::new(name)
                .unwrap()
                .partitioned(true)
                .validate(),
            Ok(()),
            "{name}"
        );
    }
    assert_eq!(
        CookieConfig::default()
            .domain("example.com")
            .partitioned(true)
            .validate(),
        Ok(())
    );
}
