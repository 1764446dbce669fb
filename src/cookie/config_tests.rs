//! Tests of `config.rs`: budgets, and rendering against the `cookie` crate.

use super::*;

#[test]
fn decimal_len_counts_digits() {
    for (n, len) in [(0, 1), (9, 1), (10, 2), (99, 2), (100, 3), (usize::MAX, 20)] {
        assert_eq!(decimal_len(n), len, "{n}");
    }
}

#[test]
fn chunks_stay_within_the_header_budget() {
    for budget in [
        MIN_COOKIE_HEADER_BUDGET,
        4000,
        4097,
        7 * 1024,
        8192,
        20_000,
        40_000,
    ] {
        let config = CookieConfig::default().chunking(8).header_budget(budget);
        for count in 2..=8 {
            let capacity = config.chunked_capacity(count);
            if capacity == 0 {
                continue;
            }
            // The header bytes of `count` chunks carrying `capacity` token bytes.
            let names: usize = (0..count).map(|i| "session.".len() + decimal_len(i)).sum();
            let header = names + count + 2 * (count - 1) + decimal_len(count) + 1 + capacity;
            assert!(
                header <= budget,
                "budget {budget}, {count} chunks: {header}"
            );
        }
        assert!(config.single_capacity() + "session=".len() <= budget.max(4097));
    }
    // Under a tight budget the single cookie `name=value` fills it exactly.
    let tight = CookieConfig::default().header_budget(2000);
    assert_eq!(tight.single_capacity(), 2000 - "session=".len());
    assert_eq!(tight.token_budget(), 2000 - "session=".len());
    // The default: a full single cookie fits, two chunks hold more, and
    // more chunks never hold more than the budget allows.
    let config = CookieConfig::default().chunking(8);
    assert_eq!(config.single_capacity(), 4096 - 7);
    assert!(config.token_budget() > 7000 && config.token_budget() < 7 * 1024);
    assert_eq!(config.token_budget(), config.chunked_capacity(2));
}

#[test]
fn sub_second_max_age_renders_as_one_second() {
    let config = CookieConfig::default();
    for (max_age, rendered) in [
        (Duration::from_millis(1), "Max-Age=1"),
        (Duration::from_millis(500), "Max-Age=1"),
        (Duration::from_millis(999), "Max-Age=1"),
        (Duration::from_millis(1001), "Max-Age=2"),
        (Duration::from_secs(60), "Max-Age=60"),
    ] {
        let cookie = config.render(&config.attributes(), "session", "v", max_age);
        assert!(cookie.contains(rendered), "{max_age:?}: {cookie}");
    }
}

/// What `CookieConfig::render` replaced: the `cookie` crate's rendering of
/// the whole cookie, built per response.
fn rendered_by_the_cookie_crate(
    config: &CookieConfig,
    name: &str,
    value: &str,
    max_age: Duration,
) -> String {
    let mut cookie = config.builder(name, value).build();
    if !config.browser_session {
        let whole = max_age
            .as_secs()
            .saturating_add(u64::from(max_age.subsec_nanos() > 0));
        let seconds = i64::try_from(whole).unwrap_or(i64::MAX);
        cookie.set_max_age(::cookie::time::Duration::seconds(seconds));
    }
    cookie.to_string()
}

#[test]
fn rendering_matches_the_cookie_crate() {
    let base = CookieConfig::new("sid").unwrap();
    let configs = [
        base.clone(),
        base.clone().same_site(SameSite::Strict),
        base.clone().same_site(SameSite::None),
        base.clone().secure(false).http_only(false),
        base.clone().secure(false).same_site(SameSite::None),
        base.clone().path("/app").domain("example.com"),
        base.clone().partitioned(true).secure(false),
        base.clone().browser_session(true),
        base.clone()
            .domain(".example.com")
            .browser_session(true)
            .partitioned(true),
    ];
    for config in &configs {
        let attributes = config.attributes();
        for (name, value) in [("sid", "token"), ("sid.0", "2.abc-_"), ("x", "")] {
            for max_age in [
                Duration::from_millis(1),
                Duration::from_secs(600),
                Duration::from_secs(u64::MAX),
            ] {
                assert_eq!(
                    config.render(&attributes, name, value, max_age),
                    rendered_by_the_cookie_crate(config, name, value, max_age),
                    "{config:?}"
                );
            }
        }
    }
}
