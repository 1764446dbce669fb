//! The app in axum: `SessionLayer::store`.

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cookie_seal::axum::Session;
use cookie_seal::store::Storage;
use cookie_seal::tower::SessionLayer;
use cookie_seal_redis::RedisStore;
use serde::Deserialize;

use crate::support;

pub async fn serve(
    settings: support::Settings,
    store: RedisStore,
    storage: Storage,
) -> Result<(), Box<dyn std::error::Error>> {
    let sessions = SessionLayer::new(settings.cookies)
        .store(store.clone(), storage)
        .on_rejected(support::log_rejected);
    let app = Router::new()
        .route("/", get(home))
        .route("/counter", get(counter))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/logout-everywhere", post(logout_everywhere))
        .layer(sessions)
        .with_state(store);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", settings.port)).await?;
    support::announce(listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn home(session: Session) -> Html<String> {
    Html(support::home_page(&session.snapshot()))
}

async fn counter(session: Session) -> Result<Html<String>, cookie_seal::Error> {
    let count = support::count(&session.snapshot()) + 1;
    session.insert(support::COUNT, &count)?;
    Ok(Html(support::counter_page(count)))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
}

impl LoginForm {
    pub fn username(&self) -> &str {
        &self.username
    }
}

async fn login(
    session: Session,
    Form(form): Form<LoginForm>,
) -> Result<Response, cookie_seal::Error> {
    let Some(user) = support::valid_username(form.username()) else {
        let page = Html(support::error_page(support::BAD_USERNAME));
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    };
    session.clear_and_regenerate()?; // a new ID: the pre-login record is deleted
    session.set_user(user)?;
    session.insert(support::USER, user)?;
    Ok(Redirect::to("/").into_response())
}

async fn logout(session: Session) -> Redirect {
    session.clear(); // deletes the record and the cookie
    Redirect::to("/")
}

async fn logout_everywhere(State(store): State<RedisStore>, session: Session) -> Response {
    if let Some(user) = session.user() {
        if let Err(error) = store.revoke_user(&user).await {
            return (StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response();
        }
    }
    session.clear();
    Redirect::to("/").into_response()
}
