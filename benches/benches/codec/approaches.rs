//! Every approach behind one interface, for the timings and the size table:
//! cookie-seal's codecs, the floor and the peers.

use super::*;

struct Peers {
    cookie_key: cookie::Key,
    branca: RefCell<branca::Branca>,
    fernet: fernet::Fernet,
    paseto_key: pasetors::keys::SymmetricKey<pasetors::version4::V4>,
}

impl Peers {
    pub(crate) fn new() -> Peers {
        Peers {
            cookie_key: cookie::Key::from(&[0x33; 64]),
            branca: RefCell::new(branca::Branca::new(&[0x44; 32]).expect("branca key")),
            fernet: fernet::Fernet::new(&URL_SAFE.encode([0x55; 32])).expect("fernet key"),
            paseto_key: pasetors::keys::SymmetricKey::from(&[0x66; 32]).expect("paseto key"),
        }
    }
}

/// Declares `Approach`, `ALL` in the listed order, and each one's benchmark
/// ID, from one list.
macro_rules! approaches {
    ($($name:ident => $id:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Approach {
            $($name,)*
        }

        pub(crate) const ALL: [Approach; [$($id),*].len()] = [$(Approach::$name),*];

        impl Approach {
            /// The benchmark ID (also the directory under target/criterion/<group>/).
            pub(crate) fn id(self) -> &'static str {
                match self {
                    $(Approach::$name => $id,)*
                }
            }
        }
    };
}

approaches! {
    SealSigned => "cookie-seal_signed",
    SealSignedNever => "cookie-seal_signed_never",
    SealSealed => "cookie-seal_sealed",
    SealSealedAuto => "cookie-seal_sealed_auto",
    SealSealedOsNonce => "cookie-seal_sealed_os_nonce",
    SealSignedMap => "cookie-seal_signed_map",
    SealSealedMap => "cookie-seal_sealed_map",
    FloorSigned => "floor_signed",
    FloorSealed => "floor_sealed",
    SignedJar => "cookie_SignedJar",
    PrivateJar => "cookie_PrivateJar",
    Branca => "branca",
    Fernet => "fernet",
    Pasetors => "pasetors_v4_local",
}

pub(crate) struct Fixture {
    signed: Codec,
    signed_never: Codec,
    sealed: Codec,
    sealed_auto: Codec,
    /// The sealed default but with `NonceSource::Os`: the nonce's cost.
    sealed_os_nonce: Codec,
    floor: Floor,
    peers: Peers,
}

impl Fixture {
    pub(crate) fn new() -> Fixture {
        let ring = || Keyring::new(1, Key::from_bytes(&[0x77; 32]).expect("key"));
        let max_age = Duration::from_secs(TTL_SECS);
        Fixture {
            signed: Codec::signed(ring()).max_age(max_age),
            signed_never: Codec::signed(ring())
                .max_age(max_age)
                .compression(Compression::Never),
            sealed: Codec::sealed(ring()).max_age(max_age),
            sealed_auto: Codec::sealed(ring())
                .max_age(max_age)
                .compression(Compression::Auto),
            sealed_os_nonce: Codec::sealed(ring())
                .max_age(max_age)
                .nonce_source(NonceSource::Os),
            floor: Floor::new(),
            peers: Peers::new(),
        }
    }

    /// The cookie value for `value` (`None` if the approach refuses it).
    pub(crate) fn encode<T: Serialize + AsSessionMap>(
        &self,
        a: Approach,
        value: &T,
    ) -> Option<String> {
        match a {
            SealSigned => self.signed.encode(value).ok(),
            SealSignedNever => self.signed_never.encode(value).ok(),
            SealSealed => self.sealed.encode(value).ok(),
            SealSealedAuto => self.sealed_auto.encode(value).ok(),
            SealSealedOsNonce => self.sealed_os_nonce.encode(value).ok(),
            // The map is built outside the timed loop; see `encode_map`.
            SealSignedMap => self.signed.encode(&value.to_map()).ok(),
            SealSealedMap => self.sealed.encode(&value.to_map()).ok(),
            FloorSigned => Some(self.floor.sign(value)),
            FloorSealed => Some(self.floor.seal(value)),
            SignedJar | PrivateJar => {
                let json = serde_json::to_string(value).ok()?;
                let mut jar = cookie::CookieJar::new();
                let cookie = cookie::Cookie::new(COOKIE_NAME, json);
                if a == SignedJar {
                    jar.signed_mut(&self.peers.cookie_key).add(cookie);
                } else {
                    jar.private_mut(&self.peers.cookie_key).add(cookie);
                }
                jar.get(COOKIE_NAME).map(|c| c.value().to_owned())
            }
            Branca => {
                let json = serde_json::to_vec(value).ok()?;
                self.peers.branca.borrow_mut().encode(&json).ok()
            }
            Fernet => {
                let json = serde_json::to_vec(value).ok()?;
                Some(self.peers.fernet.encrypt(&json))
            }
            Pasetors => {
                let mut claims =
                    pasetors::claims::Claims::new_expires_in(&Duration::from_secs(TTL_SECS))
                        .ok()?;
                claims
                    .add_additional("session", serde_json::to_value(value).ok()?)
                    .ok()?;
                pasetors::local::encrypt(&self.peers.paseto_key, &claims, None, None).ok()
            }
        }
    }

    /// Reads `token` back into the typed session (the map forms into a `SessionMap`).
    pub(crate) fn decode<T: DeserializeOwned>(&self, a: Approach, token: &str) -> Option<T> {
        match a {
            SealSigned => self.signed.decode(token).ok().map(|d| d.value),
            SealSignedNever => self.signed_never.decode(token).ok().map(|d| d.value),
            SealSealed => self.sealed.decode(token).ok().map(|d| d.value),
            SealSealedAuto => self.sealed_auto.decode(token).ok().map(|d| d.value),
            SealSealedOsNonce => self.sealed_os_nonce.decode(token).ok().map(|d| d.value),
            SealSignedMap | SealSealedMap => None, // see `decode_map`
            FloorSigned => self.floor.verify(token),
            FloorSealed => self.floor.open(token),
            SignedJar | PrivateJar => {
                let mut jar = cookie::CookieJar::new();
                jar.add_original(cookie::Cookie::new(COOKIE_NAME, token.to_owned()));
                let cookie = if a == SignedJar {
                    jar.signed(&self.peers.cookie_key).get(COOKIE_NAME)
                } else {
                    jar.private(&self.peers.cookie_key).get(COOKIE_NAME)
                }?;
                serde_json::from_str(cookie.value()).ok()
            }
            Branca => {
                let json = self
                    .peers
                    .branca
                    .borrow()
                    .decode(token, TTL_SECS as u32)
                    .ok()?;
                serde_json::from_slice(&json).ok()
            }
            Fernet => {
                let json = self.peers.fernet.decrypt_with_ttl(token, TTL_SECS).ok()?;
                serde_json::from_slice(&json).ok()
            }
            Pasetors => {
                let untrusted = pasetors::token::UntrustedToken::<
                    pasetors::Local,
                    pasetors::version4::V4,
                >::try_from(token)
                .ok()?;
                let rules = pasetors::claims::ClaimsValidationRules::new();
                let trusted = pasetors::local::decrypt(
                    &self.peers.paseto_key,
                    &untrusted,
                    &rules,
                    None,
                    None,
                )
                .ok()?;
                let session = trusted.payload_claims()?.get_claim("session")?;
                serde_json::from_value(session.clone()).ok()
            }
        }
    }

    pub(crate) fn map_codec(&self, a: Approach) -> &Codec {
        if a == SealSealedMap {
            &self.sealed
        } else {
            &self.signed
        }
    }
}
