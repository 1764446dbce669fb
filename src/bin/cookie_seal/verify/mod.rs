//! `verify`: the verdict of [`Codec::verify`] on a token, explained.
//!
//! The verdict and the re-issue decision come from the library alone
//! (`Codec::verify` checks header, tag and times without deserializing the
//! payload); this module only builds the codec from the command line and puts
//! the result into words. It never prints key material or session values: a
//! session's keys are listed with each value's size.

use std::time::{Duration, SystemTime};

use cookie_seal::consts::DEFAULT_COOKIE_NAME;
use cookie_seal::{inspect as read_header, Codec, DecodeOptions, Keyring, Mode};

use crate::format::Outcome;
use crate::{Failure, EXIT_OK};

mod report;
#[cfg(test)]
mod tests;

use self::report::{describe_valid, invalid_outcome};

/// What the token is bound to, besides the purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Binding {
    /// Nothing: a token from `Codec::encode` without a context.
    Unbound,
    /// A context given with `--context`.
    Context(String),
    /// A cookie written by `SessionCookie`, which binds the cookie name as
    /// the context (from `--cookie-name` or a pasted `NAME=value`).
    CookieName(String),
}

impl Binding {
    fn context(&self) -> &[u8] {
        match self {
            Binding::Unbound => b"",
            Binding::Context(context) => context.as_bytes(),
            Binding::CookieName(name) => name.as_bytes(),
        }
    }

    /// The cookie name the size budget is computed for.
    fn cookie_name(&self) -> &str {
        match self {
            Binding::CookieName(name) => name,
            _ => DEFAULT_COOKIE_NAME,
        }
    }

    fn describe(&self) -> String {
        match self {
            Binding::Unbound => "no context".to_owned(),
            Binding::Context(_) => "with the given context".to_owned(),
            Binding::CookieName(name) => format!("bound to cookie {name:?}"),
        }
    }
}

/// The codec settings `verify` checks against, as given on the command line.
#[derive(Debug, Clone)]
pub(crate) struct VerifySettings {
    /// The required mode, or `None` to use the (authenticated) mode of the token.
    pub(crate) mode: Option<Mode>,
    pub(crate) purpose: String,
    pub(crate) binding: Binding,
    pub(crate) max_age: Duration,
    pub(crate) absolute_lifetime: Option<Duration>,
    pub(crate) reissue_after: Option<Duration>,
    pub(crate) clock_skew: Duration,
}

/// Verifies `token` with a codec built from `keys` and `settings`.
///
/// # Errors
/// A usage [`Failure`] only for problems that are not the token's fault: a
/// setting out of range, or this machine's clock before 1970.
pub(crate) fn verify(
    token: &str,
    keys: Keyring,
    settings: &VerifySettings,
    now: SystemTime,
) -> Result<Outcome, Failure> {
    let key_ids: Vec<u32> = keys.ids().collect();
    let primary = keys.primary_id();
    let mode = match settings.mode {
        Some(mode) => mode,
        // The mode bit is authenticated like the rest of the header, so
        // taking it from the token only chooses which check to run.
        None => match read_header(token) {
            Ok(header) => header.mode(),
            Err(error) => return invalid_outcome(&error, token, &key_ids, settings),
        },
    };
    let mut codec = Codec::new(mode, keys)
        .purpose(&settings.purpose)
        .max_age(settings.max_age)
        .clock_skew(settings.clock_skew)
        .token_budget_for_cookie(settings.binding.cookie_name());
    if let Some(lifetime) = settings.absolute_lifetime {
        codec = codec.absolute_lifetime(lifetime);
    }
    if let Some(age) = settings.reissue_after {
        codec = codec.reissue_after(age);
    }
    let options = DecodeOptions::new().context(settings.binding.context());
    let verified = match codec.verify(token, &options, now) {
        Ok(verified) => verified,
        Err(error) => return invalid_outcome(&error, token, &key_ids, settings),
    };
    Ok(Outcome {
        code: EXIT_OK,
        text: describe_valid(token, &verified, primary, settings, now),
    })
}
