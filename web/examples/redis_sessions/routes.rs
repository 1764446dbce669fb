//! The pages: `/`, `/counter`, `POST /login`, `POST /logout`.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cookie_seal::SessionId;
use serde::Deserialize;

use crate::session::{server_error, store_unavailable, App, AppState};
use crate::store::SessionData;
use crate::support;

pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/counter", get(counter))
        .with_state(Arc::new(app))
}

async fn home(State(app): AppState, headers: HeaderMap) -> Response {
    let current = match app.current(&headers).await {
        Ok(current) => current,
        Err(error) => return store_unavailable(&error),
    };
    let (id, page) = match &current.live {
        Some((id, data)) => (
            Some(id),
            support::home_page_for(data.user.as_deref(), data.count),
        ),
        None => (None, support::home_page_for(None, 0)),
    };
    app.respond(&current.loaded, id, Html(page))
}

async fn counter(State(app): AppState, headers: HeaderMap) -> Response {
    let current = match app.current(&headers).await {
        Ok(current) => current,
        Err(error) => return store_unavailable(&error),
    };
    // A visitor without a live session gets a new one (a new random ID). Each
    // such visitor costs a Redis key until its TTL runs out: a public app
    // would rate-limit this, as any store-backed session must.
    let (id, mut data) = match current.live {
        Some(live) => live,
        None => match SessionId::generate() {
            Ok(id) => (id, SessionData::default()),
            Err(error) => return server_error(&error),
        },
    };
    data.count = data.count.saturating_add(1);
    if let Err(error) = app.store.save(&id, &data, None).await {
        return store_unavailable(&error);
    }
    app.respond(
        &current.loaded,
        Some(&id),
        Html(support::counter_page(data.count)),
    )
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
}

async fn login(State(app): AppState, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    let Some(user) = support::valid_username(&form.username) else {
        let page = support::error_page(support::BAD_USERNAME);
        return (StatusCode::BAD_REQUEST, Html(page)).into_response();
    };
    let loaded = app.verify(&headers);
    // Fixation defence: the signed-in session gets a new random ID, the old
    // ID's data is deleted in the same round trip, and nothing from before
    // login carries over.
    let id = match SessionId::generate() {
        Ok(id) => id,
        Err(error) => return server_error(&error),
    };
    let data = SessionData {
        user: Some(user.to_owned()),
        count: 0,
    };
    let old = loaded.decoded().map(|decoded| &decoded.value);
    if let Err(error) = app.store.save(&id, &data, old).await {
        return store_unavailable(&error);
    }
    app.respond(&loaded, Some(&id), Redirect::to("/"))
}

async fn logout(State(app): AppState, headers: HeaderMap) -> Response {
    let loaded = app.verify(&headers);
    if let Some(decoded) = loaded.decoded() {
        if let Err(error) = app.store.delete(&decoded.value).await {
            return store_unavailable(&error);
        }
    }
    app.respond(&loaded, None, Redirect::to("/"))
}
