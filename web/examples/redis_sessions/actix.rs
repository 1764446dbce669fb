//! The app in actix-web: `SessionMiddleware::store`.

use actix_web::http::header::{ContentType, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpResponse, HttpServer};
use cookie_seal::actix::{Session, SessionMiddleware};
use cookie_seal::store::Storage;
use cookie_seal_redis::RedisStore;

use crate::axum::LoginForm;
use crate::support;

pub async fn serve(
    settings: support::Settings,
    store: RedisStore,
    storage: Storage,
) -> Result<(), Box<dyn std::error::Error>> {
    let sessions = SessionMiddleware::new(settings.cookies)
        .store(store.clone(), storage)
        .on_rejected(support::log_rejected);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(sessions.clone())
            .app_data(web::Data::new(store.clone()))
            .route("/", web::get().to(home))
            .route("/counter", web::get().to(counter))
            .route("/login", web::post().to(login))
            .route("/logout", web::post().to(logout))
            .route("/logout-everywhere", web::post().to(logout_everywhere))
    })
    .workers(2)
    .bind(("127.0.0.1", settings.port))?;
    for addr in server.addrs() {
        support::announce(addr);
    }
    server.run().await?;
    Ok(())
}

fn html(status: StatusCode, page: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::html())
        .body(page)
}

fn to_home() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, "/"))
        .finish()
}

async fn home(session: Session) -> HttpResponse {
    html(StatusCode::OK, support::home_page(&session.snapshot()))
}

async fn counter(session: Session) -> Result<HttpResponse, cookie_seal::Error> {
    let count = support::count(&session.snapshot()) + 1;
    session.insert(support::COUNT, &count)?;
    Ok(html(StatusCode::OK, support::counter_page(count)))
}

async fn login(
    session: Session,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, cookie_seal::Error> {
    let Some(user) = support::valid_username(form.username()) else {
        let page = support::error_page(support::BAD_USERNAME);
        return Ok(html(StatusCode::BAD_REQUEST, page));
    };
    session.clear_and_regenerate()?; // a new ID: the pre-login record is deleted
    session.set_user(user)?;
    session.insert(support::USER, user)?;
    Ok(to_home())
}

async fn logout(session: Session) -> HttpResponse {
    session.clear(); // deletes the record and the cookie
    to_home()
}

async fn logout_everywhere(store: web::Data<RedisStore>, session: Session) -> HttpResponse {
    if let Some(user) = session.user() {
        if let Err(error) = store.revoke_user(&user).await {
            return html(StatusCode::SERVICE_UNAVAILABLE, error.to_string());
        }
    }
    session.clear();
    to_home()
}
