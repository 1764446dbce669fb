//! Token sizes and the largest session that fits one cookie.

use super::*;

fn fits(token: &str) -> bool {
    COOKIE_NAME.len() + token.len() <= COOKIE_LIMIT
}

/// Bytes a token takes once the characters that RFC 6265 does not allow in a
/// cookie value (quote, comma, backslash, semicolon, whitespace) are
/// percent-encoded; only `SignedJar`, which appends the raw JSON, has any.
fn cookie_safe_len(token: &str) -> usize {
    token
        .bytes()
        .map(|b| match b {
            b'"' | b',' | b'\\' | b';' | b' ' | 0..=0x20 | 0x7F.. => 3,
            _ => 1,
        })
        .sum()
}

/// The largest `n` such that the large shape with `n` items fits (binary
/// search: the token length grows with `n`).
fn max_fit(fx: &Fixture, file: &SessionsFile, a: Approach) -> usize {
    let ok = |n: usize| {
        fx.encode(a, &file.large_with(n))
            .is_some_and(|t| fits(&t) && (a != SignedJar || fits_cookie_safe(&t)))
    };
    let (mut lo, mut hi) = (0, file.item_pool.len());
    if !ok(lo) {
        return 0;
    }
    if ok(hi) {
        return hi;
    }
    // Invariant: ok(lo), !ok(hi).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn fits_cookie_safe(token: &str) -> bool {
    COOKIE_NAME.len() + cookie_safe_len(token) <= COOKIE_LIMIT
}

pub(crate) fn json_len<T: Serialize>(value: &T) -> usize {
    serde_json::to_string(value).map_or(0, |s| s.len())
}

pub(crate) fn size_report(fx: &Fixture, file: &SessionsFile) {
    let large = file.large_with(file.large_items);
    println!("token bytes (cookie value), and the largest `large`-shape session in one cookie:");
    println!(
        "{:<26} {:>6} {:>6} {:>6}   {:>6} {:>9}",
        "approach", "small", "medium", "large", "items", "json_fit"
    );
    let mut approaches = Vec::new();
    for a in ALL {
        let tokens = [
            fx.encode(a, &file.small).unwrap_or_default(),
            fx.encode(a, &file.medium).unwrap_or_default(),
            fx.encode(a, &large).unwrap_or_default(),
        ];
        let n = max_fit(fx, file, a);
        let fit_json = json_len(&file.large_with(n));
        println!(
            "{:<26} {:>6} {:>6} {:>6}   {:>6} {:>9}",
            a.id(),
            tokens[0].len(),
            tokens[1].len(),
            tokens[2].len(),
            n,
            fit_json
        );
        approaches.push(serde_json::json!({
            "id": a.id(),
            "small": tokens[0].len(),
            "medium": tokens[1].len(),
            "large": tokens[2].len(),
            "small_cookie_safe": cookie_safe_len(&tokens[0]),
            "medium_cookie_safe": cookie_safe_len(&tokens[1]),
            "large_cookie_safe": cookie_safe_len(&tokens[2]),
            "max_items": n,
            "max_json": fit_json,
        }));
    }
    let report = serde_json::json!({
        "sessions": {
            "small": json_len(&file.small),
            "medium": json_len(&file.medium),
            "large": json_len(&large),
        },
        "approaches": approaches,
    });
    // The workspace's target directory, where criterion writes too.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion");
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        std::fs::write(
            dir.join("token_sizes.json"),
            serde_json::to_string_pretty(&report).unwrap_or_default(),
        )
    });
    if let Err(e) = written {
        eprintln!("could not write target/criterion/token_sizes.json: {e}");
    }
}
