//! Expiry per session ("remember me", browser-session cookies): kept in the
//! token, checked on decode, kept by a re-issue, rendered as `Max-Age` by
//! the cookie layer; and what the sealed token's length shows of it.

use cookie_seal::cookie::{CookieConfig, SessionCookie};
use cookie_seal::Expiry;

use super::*;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: u64 = 86_400;

fn codec(mode: Mode) -> Codec {
    Codec::new(mode, ring()).max_age(Duration::from_secs(30 * DAY))
}

#[test]
fn a_session_expires_by_its_own_idle_lifetime_in_both_modes() {
    for mode in [Mode::Signed, Mode::Sealed] {
        let codec = codec(mode);
        let options = EncodeOptions::new().expiry(Expiry::OnInactivity(HOUR));
        let token = codec.encode_with(&session(), &options, at(T0)).unwrap();
        let decoded = codec
            .decode_at::<SessionMap>(&token, at(T0 + 3600))
            .unwrap();
        assert_eq!(decoded.expiry, Expiry::OnInactivity(HOUR), "{mode:?}");
        assert_eq!(
            codec.decode_at::<SessionMap>(&token, at(T0 + 3601)),
            Err(Error::Expired {
                expired_at: at(T0 + 3600),
                now: at(T0 + 3601),
                lifetime: Lifetime::Idle
            }),
            "{mode:?}"
        );
        // A reader with a shorter max_age wins over a longer own lifetime.
        let short = codec.clone().max_age(Duration::from_secs(60));
        assert!(matches!(
            short.decode_at::<SessionMap>(&token, at(T0 + 61)),
            Err(Error::Expired { .. })
        ));
        // A browser-session expiry keeps the codec's idle lifetime.
        let options = EncodeOptions::new().expiry(Expiry::OnSessionEnd);
        let token = codec.encode_with(&session(), &options, at(T0)).unwrap();
        let decoded = codec
            .decode_at::<SessionMap>(&token, at(T0 + 29 * DAY))
            .unwrap();
        assert_eq!(decoded.expiry, Expiry::OnSessionEnd);
        // Without one, the token says so.
        let token = codec.encode_at(&session(), at(T0)).unwrap();
        assert_eq!(
            codec
                .decode_at::<SessionMap>(&token, at(T0))
                .unwrap()
                .expiry,
            Expiry::Configured
        );
    }
}

#[test]
fn a_reissue_keeps_the_expiry() {
    for mode in [Mode::Signed, Mode::Sealed] {
        let codec = codec(mode);
        let options = EncodeOptions::new().expiry(Expiry::OnInactivity(HOUR));
        let token = codec.encode_with(&session(), &options, at(T0)).unwrap();
        let decoded = codec.decode_at::<SessionMap>(&token, at(T0 + 600)).unwrap();
        let again = codec
            .encode_with(&decoded.value, &decoded.carry_over(), at(T0 + 600))
            .unwrap();
        let decoded = codec
            .decode_at::<SessionMap>(&again, at(T0 + 4000))
            .unwrap();
        assert_eq!(decoded.expiry, Expiry::OnInactivity(HOUR), "{mode:?}");
        assert!(codec
            .decode_at::<SessionMap>(&again, at(T0 + 4201))
            .is_err());
    }
}

#[test]
fn an_own_lifetime_must_be_one_second_to_max_age() {
    let codec = codec(Mode::Sealed);
    for lifetime in [Duration::ZERO, Duration::from_secs(30 * DAY + 1)] {
        let options = EncodeOptions::new().expiry(Expiry::OnInactivity(lifetime));
        assert!(matches!(
            codec.encode_with(&session(), &options, at(T0)),
            Err(Error::InvalidOption(_))
        ));
    }
    let options = EncodeOptions::new().expiry(Expiry::OnInactivity(Duration::from_secs(30 * DAY)));
    assert!(codec.encode_with(&session(), &options, at(T0)).is_ok());
}

fn max_age_of(set_cookie: &str) -> Option<&str> {
    set_cookie
        .split("; ")
        .find_map(|attribute| attribute.strip_prefix("Max-Age="))
}

#[test]
fn the_cookie_max_age_follows_the_sessions_expiry_and_a_reload_keeps_it() {
    for browser_session in [false, true] {
        let config = CookieConfig::new("__Host-session")
            .unwrap()
            .browser_session(browser_session);
        let cookies = SessionCookie::new(codec(Mode::Sealed), config).unwrap();
        let fresh = cookies.load::<SessionMap>(std::iter::empty(), at(T0));
        let mut s = fresh.session();
        s.insert("user", "alice").unwrap();
        let save = |s: &SessionMap| cookies.save(&fresh, s, at(T0)).unwrap().remove(0);
        let configured = save(&s);
        let expected = (!browser_session).then_some("2592000");
        assert_eq!(max_age_of(&configured), expected, "{configured}");
        assert!(!configured.contains("Expires") || !browser_session);

        // "Remember me": persistent for a week, whatever the config says.
        s.set_expiry(Expiry::OnInactivity(Duration::from_secs(7 * DAY)));
        let remembered = save(&s);
        assert_eq!(max_age_of(&remembered), Some("604800"), "{remembered}");
        // Longer than the codec's max_age: capped to it.
        s.set_expiry(Expiry::OnInactivity(Duration::from_secs(400 * DAY)));
        assert_eq!(max_age_of(&save(&s)), Some("2592000"));
        // A browser-session cookie: no Max-Age, no Expires.
        s.set_expiry(Expiry::OnSessionEnd);
        let transient = save(&s);
        assert!(
            !transient.contains("Max-Age") && !transient.contains("Expires"),
            "{transient}"
        );

        // The next request reads the expiry back from the token, and a
        // re-issue (here a change) keeps it.
        s.set_expiry(Expiry::OnInactivity(Duration::from_secs(7 * DAY)));
        let line = save(&s).split(';').next().unwrap().to_owned();
        let loaded = cookies.load::<SessionMap>([line.as_str()], at(T0 + 60));
        let mut again = loaded.session();
        assert_eq!(
            again.expiry(),
            Expiry::OnInactivity(Duration::from_secs(7 * DAY))
        );
        assert!(!again.is_modified());
        again.insert("n", &1u8).unwrap();
        let set = cookies.save(&loaded, &again, at(T0 + 60)).unwrap();
        assert_eq!(max_age_of(&set[0]), Some("604800"), "{}", set[0]);
    }
}

#[test]
fn setting_the_same_expiry_is_not_a_change() {
    let mut s = SessionMap::new();
    s.set_expiry(Expiry::Configured);
    assert!(!s.is_modified());
    s.set_expiry(Expiry::OnSessionEnd);
    assert!(s.is_modified());
    s.clear_and_regenerate().unwrap();
    assert_eq!(
        s.expiry(),
        Expiry::Configured,
        "a clean session starts over"
    );
}

/// FORMAT.md section 11, "Length and the sealed metadata": without padding
/// the length shows the encrypted varints' sizes; `pad_to` hides them.
#[test]
fn only_padding_hides_the_length_of_the_sealed_metadata() {
    let len = |codec: &Codec, options: EncodeOptions<'_>| {
        codec
            .encode_with(&session(), &options, at(T0))
            .unwrap()
            .len()
    };
    let unpadded = codec(Mode::Sealed);
    let padded = codec(Mode::Sealed).pad_to(64);
    let variants = [
        EncodeOptions::new(),
        EncodeOptions::new().created_at(at(T0 - 3 * DAY)),
        EncodeOptions::new().generation(70_000),
        EncodeOptions::new().expiry(Expiry::OnInactivity(Duration::from_secs(7 * DAY))),
    ];
    let plain: Vec<usize> = variants.iter().map(|o| len(&unpadded, *o)).collect();
    assert!(
        plain[1..].iter().all(|&l| l > plain[0]),
        "documented leak: {plain:?}"
    );
    let bucketed: Vec<usize> = variants.iter().map(|o| len(&padded, *o)).collect();
    assert!(bucketed.iter().all(|&l| l == bucketed[0]), "{bucketed:?}");
}

#[test]
fn a_map_taken_from_the_decoded_value_keeps_the_tokens_generation_and_expiry() {
    let cookies = SessionCookie::new(
        codec(Mode::Signed),
        CookieConfig::new("__Host-session").unwrap(),
    )
    .unwrap();
    let fresh = cookies.load::<SessionMap>(std::iter::empty(), at(T0));
    let mut s = fresh.session();
    s.insert("user", "alice").unwrap();
    s.set_generation(5);
    s.set_expiry(Expiry::OnInactivity(HOUR));
    let set = cookies.save(&fresh, &s, at(T0)).unwrap();
    let line = set[0].split(';').next().unwrap().to_owned();
    let loaded = cookies.load::<SessionMap>([line.as_str()], at(T0 + 60));
    // Not through `Loaded::session`: the map itself knows neither field.
    let mut raw = loaded.decoded().unwrap().value.clone();
    raw.insert("n", &1u8).unwrap();
    let set = cookies.save(&loaded, &raw, at(T0 + 60)).unwrap();
    let token = set[0].split(';').next().unwrap().split_once('=').unwrap().1;
    let decoded = cookies
        .codec()
        .decode_with::<SessionMap>(token, &cookies.decode_options(), at(T0 + 60))
        .unwrap();
    assert_eq!(
        (decoded.generation, decoded.expiry),
        (5, Expiry::OnInactivity(HOUR))
    );
}
