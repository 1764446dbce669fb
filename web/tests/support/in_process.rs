//! A response from an app run inside the test process (axum's `oneshot`,
//! actix-web's `test::call_service`), read into one [`AppReply`] the same
//! way for both frameworks, so every suite asserts on the same fields.

/// One in-process response, read fully.
#[derive(Debug)]
pub struct AppReply {
    pub status: u16,
    /// Each `Set-Cookie` header value, in order.
    pub set_cookies: Vec<String>,
    /// Each `Vary` header value.
    pub vary: Vec<String>,
    /// Each `Cache-Control` header value.
    pub cache_control: Vec<String>,
    pub body: String,
}

impl AppReply {
    /// Reads an axum (http 1) response and its whole body.
    pub async fn from_axum(response: axum::response::Response) -> AppReply {
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
            .collect();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        AppReply::new(status, headers, &body)
    }

    /// Reads an actix-web (http 0.2) test response and its whole body.
    pub async fn from_actix<B: actix_web::body::MessageBody>(
        response: actix_web::dev::ServiceResponse<B>,
    ) -> AppReply {
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
            .collect();
        let body = actix_web::test::read_body(response).await;
        AppReply::new(status, headers, &body)
    }

    /// The one place both frameworks' headers become text: names compared
    /// without case, values required to be UTF-8.
    fn new(status: u16, headers: Vec<(String, Vec<u8>)>, body: &[u8]) -> AppReply {
        let all = |name: &str| -> Vec<String> {
            headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| String::from_utf8(v.clone()).unwrap())
                .collect()
        };
        AppReply {
            status,
            set_cookies: all("set-cookie"),
            vary: all("vary"),
            cache_control: all("cache-control"),
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    /// The `name=value` pairs of the cookies set (not removed), as a browser
    /// would send them back on one `Cookie` line.
    pub fn cookie_line(&self) -> String {
        self.set_cookies
            .iter()
            .filter(|c| !c.contains("Max-Age=0"))
            .map(|c| c.split(';').next().unwrap())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Whether the cookie `name` is removed (an empty value with `Max-Age=0`).
    pub fn removes(&self, name: &str) -> bool {
        self.set_cookies
            .iter()
            .any(|c| c.starts_with(&format!("{name}=;")) && c.contains("Max-Age=0"))
    }

    /// Whether a `Vary` header names `Cookie`.
    pub fn varies_on_cookie(&self) -> bool {
        self.vary.iter().any(|v| {
            v.split(',')
                .any(|field| field.trim().eq_ignore_ascii_case("cookie"))
        })
    }
}
