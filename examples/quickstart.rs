//! The main job in one run: encode a session signed and sealed, read it back,
//! watch forged and expired cookies fail, and rotate the key.
//!
//! `cargo run --example quickstart` (uses `SESSION_KEYS` if set, otherwise a
//! fresh random keyring).

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cookie_seal::{Codec, Decoded, Error, Key, Keyring, SessionMap};

/// Prints a failure as its message (`error: keyring entry 1: the key looks
/// like hex; ...`): a `main` that returns the error prints its Debug form
/// (`Error: KeyringSyntax { entry: 1, reason: ... }`) instead.
fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    // 1. A keyring: one primary key (ID 1). In production it comes from the
    //    environment, e.g. SESSION_KEYS="1:<base64 key>".
    let mut keys: Keyring = match std::env::var("SESSION_KEYS") {
        Ok(text) => text.parse()?,
        Err(_) => Keyring::new(1, Key::generate()),
    };
    println!("keyring: {keys:?} (Debug never shows key bytes)\n");

    // 2. A typical ~150-byte session.
    let mut session = SessionMap::new();
    session.insert("user_id", &48_213u64)?;
    session.insert("name", "Ada Lovelace")?;
    session.insert("role", "admin")?;
    session.insert("csrf", "3f9a1c07b2e84d6f9a0b1c2d3e4f5a6b")?;
    session.insert("login_at", &1_763_700_000u64)?;

    // 3. Signed (readable, unforgeable) and sealed (unreadable, unforgeable).
    let signed = Codec::signed(keys.clone());
    let sealed = Codec::sealed(keys.clone());
    let signed_token = signed.encode(&session)?;
    let sealed_token = sealed.encode(&session)?;
    println!(
        "signed token ({} bytes): {signed_token}",
        signed_token.len()
    );
    println!(
        "sealed token ({} bytes): {sealed_token}",
        sealed_token.len()
    );
    let empty_signed = signed.encode(&SessionMap::new())?.len();
    let empty_sealed = sealed.encode(&SessionMap::new())?.len();
    println!("empty session: {empty_signed} bytes signed, {empty_sealed} bytes sealed");
    println!(
        "budget: {} bytes per token; a postcard payload of {} bytes always fits\n",
        sealed.settings().token_budget(),
        sealed.max_payload_len()
    );

    // 4. Read them back.
    for (name, codec, token) in [
        ("signed", &signed, &signed_token),
        ("sealed", &sealed, &sealed_token),
    ] {
        let decoded = codec.decode::<SessionMap>(token)?;
        let user: Option<u64> = decoded.value.get("user_id")?;
        println!(
            "{name}: user_id = {user:?}, key {}, issued at Unix second {}",
            decoded.key_id,
            decoded.issued_at.duration_since(UNIX_EPOCH)?.as_secs()
        );
    }

    // 5. A tampered cookie and an expired one are rejected with typed errors.
    let mut tampered = sealed_token.clone().into_bytes();
    tampered[40] = if tampered[40] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered)?;
    println!(
        "\ntampered: {}",
        rejected(sealed.decode::<SessionMap>(&tampered))
    );
    let two_days_ago = SystemTime::now() - Duration::from_secs(2 * 86_400);
    let old = sealed.encode_at(&session, two_days_ago)?;
    println!("expired:  {}", rejected(sealed.decode::<SessionMap>(&old)));

    // 6. Rotation: stage key 2 everywhere, then promote it. Tokens written
    //    under key 1 still read, and say they should be re-issued.
    keys.add(2, Key::generate())?;
    keys.promote(2)?;
    let rotated = Codec::sealed(keys.clone());
    let decoded = rotated.decode::<SessionMap>(&sealed_token)?;
    println!(
        "\nafter promoting key 2: old token read with key {}, needs_reissue = {}",
        decoded.key_id,
        decoded.needs_reissue()
    );
    let reissued = rotated.encode_with(&decoded.value, &decoded.carry_over(), SystemTime::now())?;
    let again = rotated.decode::<SessionMap>(&reissued)?;
    println!(
        "re-issued: key {}, needs_reissue = {}",
        again.key_id,
        again.needs_reissue()
    );
    // After max_age (one day by default) retire key 1; its tokens have all expired.
    keys.remove(1)?;
    println!(
        "after retiring key 1: {}",
        rejected(Codec::sealed(keys).decode::<SessionMap>(&sealed_token))
    );
    Ok(())
}

/// Describes a decode that should have failed.
fn rejected(result: Result<Decoded<SessionMap>, Error>) -> String {
    match result {
        Ok(_) => "accepted (this should not happen)".to_owned(),
        Err(error) => format!("rejected: {error}"),
    }
}
