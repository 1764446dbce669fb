//! The vendored Wycheproof files: HMAC-SHA256 through `SignKey`,
//! XChaCha20-Poly1305 through `SealKey`, ChaCha20-Poly1305 through the
//! stage's second step (`seal::seal_ietf`, `seal::open_ietf`).

use serde::Deserialize;

use crate::seal::{self, SealKey};
use crate::sign::{self, SignKey};

use super::hex;

const WYCHEPROOF_HMAC_SHA256: &str =
    include_str!("../../tests/data/wycheproof/hmac_sha256_test.json");
const WYCHEPROOF_CHACHA20_POLY1305: &str =
    include_str!("../../tests/data/wycheproof/chacha20_poly1305_test.json");
const WYCHEPROOF_XCHACHA20_POLY1305: &str =
    include_str!("../../tests/data/wycheproof/xchacha20_poly1305_test.json");

fn from_hex<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    Ok(hex(&s))
}

/// A Wycheproof file: the fields these tests read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TestFile<G> {
    algorithm: String,
    number_of_tests: usize,
    test_groups: Vec<G>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MacGroup {
    tag_size: usize,
    tests: Vec<MacCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MacCase {
    tc_id: usize,
    #[serde(deserialize_with = "from_hex")]
    key: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    msg: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    tag: Vec<u8>,
    result: Verdict,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AeadGroup {
    tests: Vec<AeadCase>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AeadCase {
    tc_id: usize,
    #[serde(deserialize_with = "from_hex")]
    key: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    iv: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    aad: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    msg: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    ct: Vec<u8>,
    #[serde(deserialize_with = "from_hex")]
    tag: Vec<u8>,
    result: Verdict,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    Valid,
    Invalid,
    Acceptable,
}

fn load<G: serde::de::DeserializeOwned>(json: &str, algorithm: &str) -> TestFile<G> {
    let file: TestFile<G> = serde_json::from_str(json).unwrap();
    assert_eq!(file.algorithm, algorithm);
    file
}

/// Counts of what a Wycheproof run did, checked against the file's total.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    valid: usize,
    invalid: usize,
    skipped: usize,
}

impl Tally {
    fn count(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Valid => self.valid += 1,
            Verdict::Invalid => self.invalid += 1,
            Verdict::Acceptable => panic!("no 'acceptable' cases expected in these sets"),
        }
    }

    fn total(&self) -> usize {
        self.valid + self.invalid + self.skipped
    }
}

#[test]
fn wycheproof_hmac_sha256_full_tags_through_sign_key() {
    let file: TestFile<MacGroup> = load(WYCHEPROOF_HMAC_SHA256, "HMACSHA256");
    let mut tally = Tally::default();
    for group in &file.test_groups {
        for case in &group.tests {
            let key = SignKey::new(&case.key);
            let msg: [&[u8]; 1] = [&case.msg];
            let id = case.tc_id;
            if group.tag_size != 8 * sign::TAG_LEN {
                // Truncated tags are not a mode this crate has: not run as
                // vectors, but every one of them must be refused.
                assert_eq!(case.tag.len() * 8, group.tag_size, "tcId {id}");
                assert!(!key.verify(&msg, &case.tag), "tcId {id}: truncated tag");
                tally.skipped += 1;
                continue;
            }
            let tag = key.tag(&msg);
            match case.result {
                Verdict::Valid => {
                    assert_eq!(tag.as_slice(), case.tag.as_slice(), "tcId {id}");
                    assert!(key.verify(&msg, &case.tag), "tcId {id}");
                }
                _ => {
                    assert_ne!(tag.as_slice(), case.tag.as_slice(), "tcId {id}");
                    assert!(!key.verify(&msg, &case.tag), "tcId {id}");
                }
            }
            tally.count(case.result);
        }
    }
    assert_eq!(tally.total(), file.number_of_tests);
    assert_eq!(
        tally,
        Tally {
            valid: 33,
            invalid: 54,
            skipped: 87
        }
    );
}

#[test]
fn wycheproof_xchacha20_poly1305_through_seal_key() {
    let file: TestFile<AeadGroup> = load(WYCHEPROOF_XCHACHA20_POLY1305, "XCHACHA20-POLY1305");
    let mut tally = Tally::default();
    let mut wrong_nonce_len = 0;
    for case in file.test_groups.iter().flat_map(|g| &g.tests) {
        let id = case.tc_id;
        let subkey: [u8; 32] = case.key.as_slice().try_into().unwrap();
        let key = SealKey::new(&subkey);
        let mut buf = case.ct.clone();
        let opened = key.open(&case.iv, &case.aad, &mut buf, &case.tag);
        match case.result {
            Verdict::Valid => {
                let nonce: [u8; seal::NONCE_LEN] = case.iv.as_slice().try_into().unwrap();
                assert!(opened, "tcId {id}: open");
                assert_eq!(buf, case.msg, "tcId {id}: plaintext");
                let mut sealed = case.msg.clone();
                let tag = key.seal(&nonce, &case.aad, &mut sealed).unwrap();
                assert_eq!(sealed, case.ct, "tcId {id}: ciphertext");
                assert_eq!(tag.as_slice(), case.tag.as_slice(), "tcId {id}: tag");
            }
            _ => {
                assert!(!opened, "tcId {id}: forged input opened");
                let no_plaintext = buf == case.ct || buf.iter().all(|&b| b == 0);
                assert!(no_plaintext, "tcId {id}: failed open left plaintext");
                wrong_nonce_len += usize::from(case.iv.len() != seal::NONCE_LEN);
            }
        }
        tally.count(case.result);
    }
    assert_eq!(tally.total(), file.number_of_tests);
    assert_eq!(
        tally,
        Tally {
            valid: 246,
            invalid: 69,
            skipped: 0
        }
    );
    assert_eq!(wrong_nonce_len, 9, "nonce sizes other than 24 bytes");
}

/// Wycheproof ChaCha20-Poly1305 (12-byte nonce) through the seal stage's
/// second step; cases with another nonce or tag size cannot be expressed
/// with its fixed-size arrays and count as refused.
#[test]
fn wycheproof_chacha20_poly1305_through_the_stage() {
    let file: TestFile<AeadGroup> = load(WYCHEPROOF_CHACHA20_POLY1305, "CHACHA20-POLY1305");
    let mut tally = Tally::default();
    let mut wrong_nonce_len = 0;
    for case in file.test_groups.iter().flat_map(|g| &g.tests) {
        let id = case.tc_id;
        let key: [u8; 32] = case.key.as_slice().try_into().unwrap();
        let sizes = (
            <[u8; 12]>::try_from(case.iv.as_slice()),
            <[u8; 16]>::try_from(case.tag.as_slice()),
        );
        let opened = if let (Ok(nonce), Ok(tag)) = sizes {
            let mut buf = case.ct.clone();
            let ok = seal::open_ietf(&key, &nonce, &case.aad, &mut buf, tag);
            if case.result == Verdict::Valid {
                assert!(ok, "tcId {id}: open");
                assert_eq!(buf, case.msg, "tcId {id}: plaintext");
                let mut sealed = case.msg.clone();
                let tag = seal::seal_ietf(&key, &nonce, &case.aad, &mut sealed).unwrap();
                assert_eq!(sealed, case.ct, "tcId {id}: ciphertext");
                assert_eq!(tag.as_slice(), case.tag.as_slice(), "tcId {id}: tag");
            }
            ok
        } else {
            wrong_nonce_len += 1;
            false
        };
        assert_eq!(opened, case.result == Verdict::Valid, "tcId {id}");
        tally.count(case.result);
    }
    assert_eq!(tally.total(), file.number_of_tests);
    assert_eq!(
        tally,
        Tally {
            valid: 256,
            invalid: 69,
            skipped: 0
        }
    );
    assert_eq!(wrong_nonce_len, 9, "nonce sizes other than 12 bytes");
}
