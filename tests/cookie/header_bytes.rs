//! `Cookie` header lines as bytes: other cookies may hold any byte and
//! never hide the session; names match exactly.

use super::*;

fn alice() -> SessionMap {
    let mut session = SessionMap::new();
    session.insert("user", "alice").unwrap();
    session
}

fn user(loaded: &cookie_seal::cookie::Loaded<SessionMap>) -> Option<String> {
    loaded.session().get::<String>("user").unwrap()
}

#[test]
fn foreign_bytes_on_the_line_do_not_hide_the_session() {
    let cookies = cookies(CookieConfig::default());
    let own = cookie_header(&store_fresh(&cookies, &alice()));
    for foreign in [
        &b"city=Z\xfcrich"[..],
        "city=Zürich".as_bytes(),
        b"junk=\xff\xfe\xc3(",
        b"\xff\xfe=1",
        b"no-equals-\xe9",
    ] {
        for line in [
            [foreign, b"; ", own.as_bytes()].concat(),
            [own.as_bytes(), b"; ", foreign].concat(),
        ] {
            let loaded = cookies.load_bytes::<SessionMap>([line.as_slice()], now());
            assert_eq!(loaded.error(), None, "{line:?}");
            assert_eq!(user(&loaded).as_deref(), Some("alice"), "{line:?}");
            assert!(loaded.present().has_single());
        }
        // Across lines, in either order.
        for lines in [[foreign, own.as_bytes()], [own.as_bytes(), foreign]] {
            let loaded = cookies.load_bytes::<SessionMap>(lines, now());
            assert_eq!(user(&loaded).as_deref(), Some("alice"), "{lines:?}");
        }
    }
}

#[test]
fn a_utf8_cookie_beside_the_session_does_not_hide_it_as_str_either() {
    let cookies = cookies(CookieConfig::default());
    let own = cookie_header(&store_fresh(&cookies, &alice()));
    let line = format!("city=Zürich; {own}; note=naïve");
    let loaded = cookies.load::<SessionMap>([line.as_str()], now());
    assert_eq!(user(&loaded).as_deref(), Some("alice"));
}

#[test]
fn our_cookie_with_a_non_utf8_value_is_present_and_malformed() {
    let cookies = cookies(CookieConfig::default());
    let loaded = cookies.load_bytes::<SessionMap>([&b"session=\xfc\xfc"[..]], now());
    assert_eq!(loaded.error(), Some(&Error::Malformed));
    assert!(loaded.present().has_single());
    // The save deletes it, like any rejected cookie.
    let set = cookies.save(&loaded, &loaded.session(), now()).unwrap();
    assert!(set[0].starts_with("session=; ") && set[0].contains("Max-Age=0"));
    // Beside a valid one, the valid one is the session.
    let own = cookie_header(&store_fresh(&cookies, &alice()));
    let line = [&b"session=\xfc; "[..], own.as_bytes()].concat();
    let loaded = cookies.load_bytes::<SessionMap>([line.as_slice()], now());
    assert_eq!(user(&loaded).as_deref(), Some("alice"));
}

#[test]
fn names_padded_with_anything_but_space_or_tab_are_other_cookies() {
    let cookies = cookies(CookieConfig::default().chunking(3));
    let own = cookie_header(&store_fresh(&cookies, &alice()));
    let token = own.strip_prefix("session=").unwrap();
    for pad in [
        "\u{b}", "\u{c}", "\u{a0}", "\u{3000}", "\u{2028}", "\u{85}", "\r", "\n",
    ] {
        for padded in [
            format!("{pad}session={token}"),
            format!("session{pad}={token}"),
            format!("session.0{pad}=2.{token}"),
        ] {
            let loaded = cookies.load::<SessionMap>([padded.as_str()], now());
            assert!(loaded.present().is_empty(), "{padded:?}");
            assert_eq!(loaded.decoded().map(|d| d.key_id), None, "{padded:?}");
            assert!(cookies.present([padded.as_str()]).is_empty(), "{padded:?}");
            assert_eq!(
                cookies.read_token([padded.as_str()]),
                Ok(None),
                "{padded:?}"
            );
        }
    }
    // HTTP's optional whitespace (space, tab) around a pair and its `=`.
    let spaced = format!(" \tsession \t=\t {token} \t;other=1");
    let loaded = cookies.load::<SessionMap>([spaced.as_str()], now());
    assert_eq!(user(&loaded).as_deref(), Some("alice"));
}

#[test]
fn a_line_without_any_pair_is_no_cookie() {
    let cookies = cookies(CookieConfig::default());
    for line in [&b""[..], b";;", b"  ;\t;", b"=", b"=x; ;", b"\xff"] {
        let loaded = cookies.load_bytes::<SessionMap>([line], now());
        assert!(
            loaded.present().is_empty() && loaded.error().is_none(),
            "{line:?}"
        );
    }
}
