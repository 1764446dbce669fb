//! Sessions through the example app on the shared Redis (standalone and
//! Cluster), in both frameworks and both storage modes.

use crate::app::{start_app, Redis, COOKIE, FRAMEWORKS, STORAGES};
use crate::servers;
use crate::support::{agent, logged_in, login, Jar, RunningApp};

/// Counter, login (fixation), "log out everywhere" and logout, in `app`.
fn check_flows(app: &RunningApp, storage: &str, what: &str) {
    let agent = agent();
    let mut visitor = Jar::default();
    assert_eq!(visitor.get(&agent, &app.url("/")).user(), None, "{what}");
    assert_eq!(visitor.get(&agent, &app.url("/counter")).count(), Some(1));
    assert_eq!(visitor.get(&agent, &app.url("/counter")).count(), Some(2));
    let pre_login = visitor.clone();

    login(app, &mut visitor, "ana");
    let home = visitor.get(&agent, &app.url("/"));
    assert_eq!(home.user(), Some("ana"), "{what}");
    assert_eq!(home.count(), Some(0), "{what}: nothing carried over");
    assert_ne!(visitor.token(COOKIE), pre_login.token(COOKIE));
    if storage == "server" {
        // The pre-login record was deleted at login: its cookie is dead.
        let mut stale = pre_login.clone();
        let reply = stale.get(&agent, &app.url("/counter"));
        assert_eq!(
            reply.count(),
            Some(1),
            "{what}: a new session, not the old one"
        );
    }

    // A second device of the same user; "log out everywhere" from the first.
    let mut phone = logged_in(app, "ana");
    assert_eq!(phone.get(&agent, &app.url("/counter")).count(), Some(1));
    let other_user = logged_in(app, "bo");
    let reply = visitor.post(&agent, &app.url("/logout-everywhere"), &[]);
    assert_eq!(reply.status, 303, "{what}: {}", reply.body);
    assert!(
        visitor.cookies.is_empty(),
        "{what}: this device's cookie deleted"
    );
    assert_eq!(
        phone.get(&agent, &app.url("/")).user(),
        None,
        "{what}: phone ended"
    );
    let mut other_user = other_user;
    assert_eq!(
        other_user.get(&agent, &app.url("/")).user(),
        Some("bo"),
        "{what}: other users untouched"
    );

    // Logout deletes the session and its cookie. In Server mode replaying
    // the cookie finds nothing; a Hybrid session small enough to ride in the
    // cookie keeps the cookie-only property (a copy stays valid until it
    // expires or its user is revoked).
    let before_logout = other_user.clone();
    let reply = other_user.post(&agent, &app.url("/logout"), &[]);
    assert_eq!(reply.status, 303);
    assert!(other_user.cookies.is_empty(), "{what}");
    if storage == "server" {
        let mut replay = before_logout;
        let user = replay.get(&agent, &app.url("/")).user().map(str::to_owned);
        assert_eq!(user, None, "{what}: replayed logout");
    }
}

#[test]
fn sessions_login_and_logout_everywhere_on_standalone_redis() {
    let Some(url) = servers::standalone_url() else {
        return;
    };
    for framework in FRAMEWORKS {
        for storage in STORAGES {
            let prefix = servers::test_prefix("example");
            let app = start_app(framework, storage, &Redis::Standalone(&url), &prefix);
            check_flows(&app, storage, &format!("standalone/{framework}/{storage}"));
        }
    }
}

#[test]
fn sessions_login_and_logout_everywhere_on_redis_cluster() {
    let Some(urls) = servers::cluster_urls() else {
        return;
    };
    for framework in FRAMEWORKS {
        for storage in STORAGES {
            let prefix = servers::test_prefix("example");
            let app = start_app(framework, storage, &Redis::Cluster(&urls), &prefix);
            check_flows(&app, storage, &format!("cluster/{framework}/{storage}"));
        }
    }
}
