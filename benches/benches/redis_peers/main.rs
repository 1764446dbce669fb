//! Server-side sessions on one Redis, through the real frameworks: cookie-seal's
//! store layer (`RedisStore`, `Storage::Server`) against tower-sessions with
//! tower-sessions-redis-store (fred) in axum, and actix-session's
//! `RedisSessionStore` (redis-rs 0.32) in actix-web.
//!
//! Per request, for an existing session of a few small values: `read` (the
//! handler reads one value) and `write` (it changes one). Each contender is
//! first checked to do what it claims (the value round-trips), and the Redis
//! commands it sends per request are counted from `INFO commandstats`
//! (commands a Lua script runs inside Redis are counted separately).
//!
//! ```sh
//! printf 'port 6390\nbind 127.0.0.1\nsave ""\nappendonly no\n' | redis-server - &
//! COOKIE_SEAL_BENCH_REDIS_URL=redis://127.0.0.1:6390/ \
//!   cargo bench -p cookie-seal-benches --bench redis_peers
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)] // bench code: a panic is a failure report

mod contenders;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use contenders::{Contender, Kind};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

/// The Redis server to measure on; `None` (the bench skips, saying so) when
/// `COOKIE_SEAL_BENCH_REDIS_URL` is unset, so that `cargo bench` of the
/// whole member does not fail on a machine without Redis.
fn redis_url() -> Option<String> {
    std::env::var("COOKIE_SEAL_BENCH_REDIS_URL").ok()
}

/// Calls per command from `INFO commandstats` (script-run commands included).
fn command_calls(url: &str) -> BTreeMap<String, u64> {
    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query(&mut con)
        .unwrap();
    info.lines()
        .filter_map(|line| {
            let (name, stats) = line.trim().strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = stats.split(',').find_map(|f| f.strip_prefix("calls="))?;
            Some((name.to_owned(), calls.parse().ok()?))
        })
        .filter(|(name, _)| name != "info")
        .collect()
}

/// The commands per request of `kind` for `contender`, over 200 requests.
fn commands_per_request(url: &str, contender: &Contender, kind: Kind) -> String {
    const N: u64 = 200;
    let before = command_calls(url);
    for _ in 0..N {
        contender.request(kind);
    }
    let after = command_calls(url);
    let mut parts = Vec::new();
    for (name, calls) in after {
        let delta = calls - before.get(&name).copied().unwrap_or(0);
        if delta > 0 {
            parts.push(format!("{name} {:.2}", delta as f64 / N as f64));
        }
    }
    parts.join(", ")
}

/// The machine is shared and noisy: besides criterion's runs (one contender
/// after another), time the contenders interleaved, 30 rounds of 100
/// requests each in turn, and print each one's median per-request time and
/// its ratio to the first contender (cookie-seal axum).
fn interleaved(contenders: &[Contender], kind: Kind) {
    const ROUNDS: usize = 30;
    const PER_ROUND: u32 = 100;
    let mut samples = vec![Vec::with_capacity(ROUNDS); contenders.len()];
    for _ in 0..ROUNDS {
        for (i, contender) in contenders.iter().enumerate() {
            let started = Instant::now();
            for _ in 0..PER_ROUND {
                contender.request(kind);
            }
            samples[i].push(started.elapsed() / PER_ROUND);
        }
    }
    let medians: Vec<Duration> = samples
        .iter_mut()
        .map(|s| {
            s.sort();
            s[ROUNDS / 2]
        })
        .collect();
    for (contender, median) in contenders.iter().zip(&medians) {
        eprintln!(
            "interleaved {kind:?}: {:<22} median {:>7.1} us  ({:.2}x cookie-seal axum)",
            contender.name,
            median.as_secs_f64() * 1e6,
            median.as_secs_f64() / medians[0].as_secs_f64()
        );
    }
}

fn bench(c: &mut Criterion) {
    let Some(url) = redis_url() else {
        eprintln!("redis_peers: skipped, set COOKIE_SEAL_BENCH_REDIS_URL=redis://127.0.0.1:PORT/");
        return;
    };
    let contenders = contenders::all(&url);
    for kind in [Kind::Read, Kind::Write] {
        interleaved(&contenders, kind);
    }
    for kind in [Kind::Read, Kind::Write] {
        for contender in &contenders {
            let commands = commands_per_request(&url, contender, kind);
            eprintln!("commands per {kind:?}: {:<22} {commands}", contender.name);
        }
        let mut group = c.benchmark_group(format!("redis_{kind:?}").to_lowercase());
        for contender in &contenders {
            group.bench_function(BenchmarkId::from_parameter(contender.name), |b| {
                b.iter(|| contender.request(kind));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
