//! Every limit and default of the crate, in one place.
//!
//! Limits are hard caps checked before any work proportional to the input;
//! defaults are what a [`Codec`](crate::Codec) or
//! [`CookieConfig`](crate::cookie::CookieConfig) uses until told otherwise.

use std::time::Duration;

pub use crate::envelope::FORMAT_VERSION;
pub use crate::key::{GENERATED_KEY_LEN, MAX_KEY_LEN, MIN_KEY_LEN};
pub use crate::keyring::{MAX_KEYRING_TEXT_LEN, MAX_KEYS};
pub use crate::session::SESSION_ID_LEN;

/// The most bytes a browser keeps for one cookie, name and value together.
pub const MAX_COOKIE_LEN: usize = 4096;
/// The cookie name the default token budget assumes.
pub const DEFAULT_COOKIE_NAME: &str = "session";
/// The default token budget: [`MAX_COOKIE_LEN`] minus the default cookie name.
pub const DEFAULT_MAX_TOKEN_LEN: usize = MAX_COOKIE_LEN - DEFAULT_COOKIE_NAME.len();
/// The largest token budget a codec accepts
/// ([`Codec::token_budget`](crate::Codec::token_budget)), for tokens chunked
/// across several cookies.
pub const MAX_TOKEN_LEN: usize = 24 * 1024;
/// The largest serialized (postcard) payload, before compression; also the
/// inflate cap on decode. Encode refuses more, so every token decodes.
pub const MAX_PAYLOAD_LEN: usize = 16 * 1024;
/// The longest purpose a codec accepts, in bytes.
pub const MAX_PURPOSE_LEN: usize = 255;
/// The default idle lifetime: one day.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(86_400);
/// The default tolerance for issue times ahead of the verifier's clock.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(60);
/// The default purpose.
pub const DEFAULT_PURPOSE: &str = "session";

/// The longest cookie name a [`CookieConfig`](crate::cookie::CookieConfig)
/// accepts, in bytes.
pub const MAX_COOKIE_NAME_LEN: usize = 256;
/// The longest `Path` or `Domain` attribute value, in bytes. Browsers
/// silently ignore longer attribute values (RFC 6265bis), so they are errors
/// here.
pub const MAX_ATTRIBUTE_LEN: usize = 1024;
/// The most cookies one chunked token may be split across
/// ([`CookieConfig::chunking`](crate::cookie::CookieConfig::chunking)).
pub const MAX_CHUNKS: usize = 8;
