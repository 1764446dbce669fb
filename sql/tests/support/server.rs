//! A PostgreSQL server of the test's own, on a free loopback port, that the
//! test stops and starts (tests/faults.rs): Debian's binaries, run as the
//! `postgres` user when the test runs as root (the server refuses root).

use std::path::PathBuf;
use std::process::Command;

use super::TempDir;

pub struct Server {
    bin: PathBuf,
    dir: TempDir,
    pub port: u16,
    as_postgres: bool,
}

fn bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    dirs.sort_by_key(|dir| {
        dir.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl Server {
    /// A new cluster, started; `None` (with a message) outside CI when
    /// PostgreSQL's binaries are missing.
    pub fn start() -> Option<Server> {
        let Some(bin) = bin_dir() else {
            if std::env::var("COOKIE_SEAL_REQUIRE_POSTGRES").is_ok_and(|on| on == "1") {
                panic!(
                    "CI=true but PostgreSQL's binaries are missing (apt-get install postgresql)"
                );
            }
            eprintln!("skipped: no PostgreSQL binaries in /usr/lib/postgresql/*/bin");
            return None;
        };
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
        let dir = TempDir::new("pg");
        if as_postgres {
            let status = Command::new("chown")
                .args(["postgres:", dir.path().to_str().unwrap()])
                .status()
                .unwrap();
            assert!(status.success());
        }
        let server = Server {
            bin,
            dir,
            port: free_port(),
            as_postgres,
        };
        let data = server.data();
        server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "--no-locale",
                "-E",
                "UTF8",
            ],
        );
        server.start_again();
        Some(server)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_str().unwrap().to_owned()
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        let out = command.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the server (again), on the same port, and waits until it accepts.
    pub fn start_again(&self) {
        let data = self.data();
        let log = self.dir.path().join("log");
        let socket_dir = self.dir.path().to_str().unwrap().to_owned();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={socket_dir} -c fsync=off",
            self.port
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                &data,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        );
    }

    /// Stops the server (fast shutdown: it ends every connection).
    pub fn stop(&self) {
        let data = self.data();
        self.run(
            "pg_ctl",
            &["-D", &data, "-m", "fast", "-w", "-t", "60", "stop"],
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let data = self.data();
        if std::path::Path::new(&data).join("postmaster.pid").exists() {
            let program = self.bin.join("pg_ctl");
            let mut command = if self.as_postgres {
                let mut command = Command::new("runuser");
                command.args(["-u", "postgres", "--"]).arg(program);
                command
            } else {
                Command::new(program)
            };
            let _ = command
                .args(["-D", &data, "-m", "immediate", "-w", "stop"])
                .output();
        }
    }
}
