//! Every type that holds or touches a key, printed every way after every
//! reachable error: no spelling of a master key or subkey shows.

use super::*;

const WINDOW: usize = 6;

/// Every spelling of every 6-byte window of `secret` that could show up.
fn spellings(secret: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for window in secret.windows(WINDOW) {
        let hex: String = window.iter().map(|b| format!("{b:02x}")).collect();
        out.push(hex.to_uppercase());
        out.push(hex);
        let decimal: Vec<String> = window.iter().map(u8::to_string).collect();
        out.push(decimal.join(", "));
    }
    // Base64 at each of the three byte alignments, 8-character windows.
    for shift in 0..3 {
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let text = engine.encode(&secret[shift..]);
            let chars: Vec<char> = text.chars().collect();
            out.extend(chars.windows(8).map(|w| w.iter().collect::<String>()));
        }
    }
    out
}

struct Secrets {
    spellings: Vec<String>,
}

impl Secrets {
    fn new(masters: &[&[u8]]) -> Secrets {
        let mut spellings = Vec::new();
        for master in masters {
            spellings.extend(self::spellings(master));
            for label in [
                b"cookie-seal/v1 hmac-sha256".as_slice(),
                b"cookie-seal/v1 xchacha20poly1305",
            ] {
                spellings.extend(self::spellings(&subkey(master, label)));
            }
        }
        Secrets { spellings }
    }

    fn assert_absent(&self, what: &str, shown: &str) {
        for spelling in &self.spellings {
            assert!(
                !shown.contains(spelling.as_str()),
                "{what} shows key material {spelling:?}: {shown}"
            );
        }
    }

    fn assert_debug_clean<T: std::fmt::Debug>(&self, what: &str, value: &T) {
        self.assert_absent(what, &format!("{value:?}"));
        self.assert_absent(what, &format!("{value:#?}"));
    }

    fn assert_error_clean(&self, what: &str, error: &Error) {
        self.assert_absent(what, &format!("{error}"));
        self.assert_debug_clean(what, error);
    }
}

#[test]
fn keys_keyrings_and_codecs_print_no_key_material() {
    let a = secret("master a", 32);
    let b = secret("master b", 64);
    let secrets = Secrets::new(&[&a, &b]);
    let key_a = Key::from_bytes(&a).unwrap();
    let key_b = Key::from_bytes(&b).unwrap();
    secrets.assert_debug_clean("Key", &key_a);
    secrets.assert_debug_clean("Key", &key_b);

    let mut ring = Keyring::new(1, key_a);
    ring.add(2, key_b).unwrap();
    secrets.assert_debug_clean("Keyring", &ring);
    let exported = ring.export();
    let parsed: Keyring = exported.parse().unwrap();
    secrets.assert_debug_clean("parsed Keyring", &parsed);
    // The export itself is the one place key bytes may appear, and it wipes
    // itself on drop.
    let _: &zeroize::Zeroizing<String> = &exported;
    assert!(exported.contains(&URL_SAFE_NO_PAD.encode(&a)));

    for codec in [
        Codec::signed(ring.clone()),
        Codec::sealed(ring.clone()),
        Codec::sealed(ring.clone())
            .purpose("csrf")
            .compression(Compression::Auto)
            .accept_signed(true)
            .max_age(Duration::from_secs(60)),
    ] {
        secrets.assert_debug_clean("Codec", &codec);
        let token = codec
            .encode_with(
                &"value",
                &EncodeOptions::new().context(b"ctx").generation(2),
                now(),
            )
            .unwrap();
        let decoded = codec
            .decode_with::<String>(
                &token,
                &cookie_seal::DecodeOptions::new().context(b"ctx"),
                now(),
            )
            .unwrap();
        secrets.assert_debug_clean("Decoded", &decoded);
        secrets.assert_debug_clean("EncodeOptions", &decoded.carry_over());
    }
}

#[test]
fn every_reachable_error_prints_no_key_material() {
    let a = secret("errors a", 32);
    let other = secret("errors other", 32);
    let secrets = Secrets::new(&[&a, &other]);
    let ring = Keyring::new(1, Key::from_bytes(&a).unwrap());
    let signed = Codec::signed(ring.clone()).max_age(Duration::from_secs(10));
    let sealed = Codec::sealed(ring.clone()).compression(Compression::Auto);
    let stranger = Codec::signed(Keyring::new(1, Key::from_bytes(&other).unwrap()));
    let unknown_id = Codec::signed(Keyring::new(9, Key::from_bytes(&other).unwrap()));

    let token = signed.encode_at(&"x".repeat(300), now()).unwrap();
    let sealed_token = sealed.encode_at(&"x".repeat(300), now()).unwrap();
    let later = now() + Duration::from_secs(3600);
    let earlier = now() - Duration::from_secs(3600);
    let mut errors: Vec<(&str, Error)> = vec![
        (
            "forged",
            stranger.decode_at::<String>(&token, now()).unwrap_err(),
        ),
        (
            "wrong context",
            signed
                .decode_with::<String>(
                    &token,
                    &cookie_seal::DecodeOptions::new().context(b"c"),
                    now(),
                )
                .unwrap_err(),
        ),
        (
            "unknown key",
            unknown_id.decode_at::<String>(&token, now()).unwrap_err(),
        ),
        (
            "mode",
            sealed.decode_at::<String>(&token, now()).unwrap_err(),
        ),
        (
            "expired",
            signed.decode_at::<String>(&token, later).unwrap_err(),
        ),
        (
            "future",
            signed.decode_at::<String>(&token, earlier).unwrap_err(),
        ),
        ("type", signed.decode_at::<u8>(&token, now()).unwrap_err()),
        (
            "sealed type",
            sealed.decode_at::<u8>(&sealed_token, now()).unwrap_err(),
        ),
        (
            "malformed",
            signed.decode_at::<String>("%%%", now()).unwrap_err(),
        ),
        (
            "too large",
            signed
                .decode_at::<String>(&"A".repeat(5000), now())
                .unwrap_err(),
        ),
        (
            "encode too large",
            signed.encode_at(&secret("noise", 4000), now()).unwrap_err(),
        ),
        ("short key", Key::from_bytes(&a[..31]).unwrap_err()),
    ];
    let long_key = secret("errors a", MAX_KEY_LEN + 1);
    errors.push(("long key", Key::from_bytes(&long_key).unwrap_err()));

    // Keyring text with key material next to every kind of syntax error.
    let a64 = URL_SAFE_NO_PAD.encode(&a);
    let std64 = STANDARD.encode(&a);
    let short64 = URL_SAFE_NO_PAD.encode(&a[..20]);
    for text in [
        format!("1:{a64},1:{a64}"),
        format!("1:{short64}"),
        format!("1:{a64}!"),
        format!("x:{a64}"),
        a64.clone(),
        format!("1:{std64}="),
        format!("99999999999:{a64}"),
        format!("1:{a64},,2:{a64}"),
        format!("1:{}", URL_SAFE_NO_PAD.encode(&long_key)),
    ] {
        let error = text.parse::<Keyring>().unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(
            !shown.contains(&a64[..12]) && !shown.contains(&std64[..12]),
            "{shown}"
        );
        errors.push(("keyring text", error));
    }
    let kinds: std::collections::BTreeSet<String> = errors
        .iter()
        .map(|(_, e)| {
            format!("{e:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(kinds.len() >= 11, "error kinds covered: {kinds:?}");
    for (what, error) in &errors {
        secrets.assert_error_clean(what, error);
    }
}

#[test]
fn sessions_and_session_ids_print_no_values_or_ids() {
    let id = SessionId::generate().unwrap();
    let id_bytes = id.as_bytes().to_vec();
    let value = secret("session value", 24);
    let secrets = Secrets::new(&[&id_bytes, &value]);
    secrets.assert_debug_clean("SessionId", &id);
    let mut session = SessionMap::new();
    session.regenerate().unwrap();
    session.insert("token", &value).unwrap();
    let own_id = session.id().unwrap().as_bytes().to_vec();
    Secrets::new(&[&own_id, &value]).assert_debug_clean("SessionMap", &session);
}

/// The search above can fail: each way a key could be printed is found.
#[test]
fn the_leak_search_finds_every_spelling_of_a_key_or_subkey() {
    let master = secret("detector", 32);
    let secrets = Secrets::new(&[&master]);
    let sign_subkey = subkey(&master, b"cookie-seal/v1 hmac-sha256");
    let hex: String = master[5..12].iter().map(|b| format!("{b:02x}")).collect();
    let leaks = [
        format!("Key({:?})", &master[3..10]),
        format!("key={hex}"),
        format!("key={}", hex.to_uppercase()),
        format!("key={}", STANDARD.encode(&master[1..])),
        format!("key={}", URL_SAFE_NO_PAD.encode(&master[2..])),
        format!("SignKey({:?})", &sign_subkey[20..]),
    ];
    for leak in leaks {
        let found = std::panic::catch_unwind(|| secrets.assert_absent("probe", &leak));
        assert!(found.is_err(), "not detected: {leak}");
    }
}
