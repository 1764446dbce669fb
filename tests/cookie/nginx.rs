//! Chunked sessions through a real nginx (`.ci/steps/60-nginx.sh`).

use super::*;

/// Sends `GET /` with `cookie` as the Cookie header to the nginx that
/// `.ci/steps/60-nginx.sh` starts (front proxy, backend answering with the
/// Cookie header it received). Returns the status code and the body.
fn through_nginx(address: &str, cookie: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The largest chunked session of the default config passes nginx's default
/// header limits (one header line up to 8 KiB), with 700 bytes of other
/// cookies beside it, and reaches the backend whole; a three-chunk session,
/// which the default header budget refuses to write, gets nginx's 400.
/// Needs `.ci/steps/60-nginx.sh` (`COOKIE_SEAL_NGINX`); skips without it
/// unless `COOKIE_SEAL_REQUIRE_NGINX=1`.
#[test]
fn chunked_sessions_pass_a_default_nginx() {
    let Ok(address) = std::env::var("COOKIE_SEAL_NGINX") else {
        assert!(
            std::env::var("COOKIE_SEAL_REQUIRE_NGINX").is_err(),
            "COOKIE_SEAL_REQUIRE_NGINX is set but COOKIE_SEAL_NGINX is not"
        );
        eprintln!("skipping: no nginx (run .ci/steps/60-nginx.sh)");
        return;
    };
    let cookies = cookies(CookieConfig::default().chunking(MAX_CHUNKS));
    // The largest session the default config stores: binary search on size.
    let (mut fits, mut too_big) = (0, 16 * 1024);
    while too_big - fits > 1 {
        let mid = (fits + too_big) / 2;
        match cookies.save(&cookies.load([], now()), &session_with("pad", mid), now()) {
            Ok(_) => fits = mid,
            Err(_) => too_big = mid,
        }
    }
    let largest = session_with("pad", fits);
    let set = cookies
        .save(&cookies.load([], now()), &largest, now())
        .unwrap();
    assert_eq!(set.len(), 2, "the largest default session takes two chunks");
    let session_cookies = cookie_header(&set);
    let others = format!(
        "theme=dark; _ga={}; csrftoken={}",
        "g".repeat(600),
        "c".repeat(64)
    );
    let header = format!("{others}; {session_cookies}");
    let (status, body) = through_nginx(&address, &header);
    assert_eq!(status, 200, "{} byte Cookie header", header.len());
    assert_eq!(body, header, "the backend got the whole Cookie header");
    let loaded = cookies.load::<SessionMap>([body.as_str()], now());
    assert_eq!(loaded.session(), largest);
    eprintln!(
        "largest default session: {fits} payload bytes, {} byte session cookies, {} byte Cookie header: 200",
        session_cookies.len(),
        header.len()
    );

    // What the issue measured: three chunks of about 4,000 bytes.
    let roomy = chunked(3);
    let three = cookie_header(
        &roomy
            .save(&roomy.load([], now()), &session_with("pad", 8000), now())
            .unwrap(),
    );
    assert_eq!(three.matches("session.").count(), 3);
    let (status, _) = through_nginx(&address, &three);
    assert_eq!(status, 400, "{} byte Cookie header", three.len());
}
