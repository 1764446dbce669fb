//! Arbitrary session maps and typed values, encoded and decoded in both modes
//! and both compression settings, with arbitrary context, generation and
//! token budget: either the value comes back equal (with the header fields
//! that were written) or encode refuses it with `TooLarge`. Nothing else.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use cookie_seal::{Codec, Compression, EncodeOptions, Error, SessionMap};
use cookie_seal_fuzz::{keyring, now};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The kinds of values apps keep in sessions.
#[derive(Arbitrary, Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Value {
    Unit,
    Bool(bool),
    U64(u64),
    I64(i64),
    Char(char),
    Str(String),
    Bytes(Vec<u8>),
    Maybe(Option<String>),
    List(Vec<u32>),
    Map(BTreeMap<String, u16>),
    Pair(Box<(Value, Value)>),
}

/// A typed session value, decoded as a struct rather than a map.
#[derive(Arbitrary, Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Profile {
    user_id: u64,
    name: String,
    roles: Vec<String>,
    flags: (bool, u8, i32),
    avatar: Option<Vec<u8>>,
    extra: Vec<Value>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    entries: Vec<(String, Value)>,
    profile: Profile,
    context: Vec<u8>,
    generation: u32,
    budget: Option<u16>,
}

fuzz_target!(|input: Input| {
    let mut session = SessionMap::new();
    for (key, value) in &input.entries {
        // Keys under the crate's reserved prefix (the store layers' user
        // binding) are refused with an error; any other refusal is a bug.
        if session.insert(key, value).is_err() {
            assert!(key.starts_with("\u{1}cs:"), "a plain value was refused");
        }
    }
    let options = EncodeOptions::new()
        .context(&input.context)
        .generation(input.generation);
    for codec in codecs(input.budget) {
        check(&codec, &session, &options, &input);
        check(&codec, &input.profile, &options, &input);
    }
});

/// Both modes with both compression settings (keys derived once per
/// process), under the input's token budget if it has one.
fn codecs(budget: Option<u16>) -> Vec<Codec> {
    static CODECS: OnceLock<[Codec; 4]> = OnceLock::new();
    let all = CODECS.get_or_init(|| {
        [
            Codec::signed(keyring()),
            Codec::signed(keyring()).compression(Compression::Never),
            Codec::sealed(keyring()),
            Codec::sealed(keyring()).compression(Compression::Auto),
        ]
    });
    all.iter()
        .map(|c| match budget {
            Some(len) => c.clone().token_budget(usize::from(len)),
            None => c.clone(),
        })
        .collect()
}

fn check<T>(codec: &Codec, value: &T, options: &EncodeOptions<'_>, input: &Input)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    match codec.encode_with(value, options, now()) {
        Ok(token) => {
            assert!(token.len() <= codec.settings().token_budget());
            let decoded = match codec.decode_with::<T>(
                &token,
                &cookie_seal::DecodeOptions::new().context(&input.context),
                now(),
            ) {
                Ok(decoded) => decoded,
                Err(e) => panic!("{codec:?} lost its own token: {e:?}"),
            };
            assert_eq!(&decoded.value, value);
            assert_eq!(decoded.generation, input.generation);
            assert_eq!(decoded.key_id, 1);
            assert_eq!(decoded.issued_at, now());
            assert!(!decoded.needs_reissue());
        }
        Err(Error::TooLarge { len, limit }) => assert!(len > limit),
        // A budget over MAX_TOKEN_LEN is an invalid setting: encode reports
        // exactly what `validate` does.
        Err(e @ Error::InvalidOption(_)) => assert_eq!(codec.validate(), Err(e)),
        Err(e) => panic!("{codec:?} refused a value with {e:?}"),
    }
}
