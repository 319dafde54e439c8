//! `cargo bench --bench scan`: the scan against the read floor (issue 8).
//!
//! For homes of growing size (Chrome profiles x cookies x Local Storage keys,
//! written in real formats by `sample::bench_home`) it measures, as medians of
//! `BENCH_RUNS` runs each:
//!
//! * **scan**: `troubleshoot::probe::scan` through the library, with the
//!   `app-sessions` parameters of `flows/notion-signout.json`;
//! * **floor**: the same stores read the plainest way, single-threaded: each
//!   `Cookies` database opened read-only IN PLACE (no copy) with rusqlite and
//!   queried for Notion hosts (`host_key = 'notion.so' OR host_key LIKE
//!   '%.notion.so'`, same for notion.com), plus each Local Storage LevelDB
//!   opened with rusty-leveldb and read by prefix (seek to
//!   `_https://www.notion.so\x00`, iterate while the prefix matches; same for
//!   `https://app.notion.com`). rusty-leveldb cannot open a store read-only,
//!   so the floor opens a copy made BEFORE its clock starts: the floor
//!   contains no copying at all.
//!
//! Peak memory is measured in a child process (this binary re-executed with
//! `--child scan|floor <home>`), which runs one scan once and reports
//! `VmHWM` from `/proc/self/status`.
//!
//! Then a realistic home (Chrome x3 profiles, Edge x1, Firefox x2, the desktop
//! app) is scanned, and `bench/first_prompt.py` measures the time to the first
//! question of the release binary on a pseudo-terminal.
//!
//! Environment: `BENCH_RUNS` (default 7), `BENCH_LARGE=1` adds the
//! 50 x 20k x 20k home, `BENCH_SIZES="3x1000x1000,20x20000x10000"` replaces
//! the list, `BENCH_PROMPT_RUNS` (default 20), `BENCH_NO_PROMPT=1` skips the
//! pty measurement. The table is printed as Markdown on stdout.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use rusty_leveldb::{DB, LdbIterator, Options};
use troubleshoot::probe::{AppSpec, Home, Layout, ScanReport, scan};
use troubleshoot::readers::leveldb::origin_prefix;
use troubleshoot::sample::{NOTION_APP, NOTION_WWW, SampleHome, bench_home};

const FLOOR_SQL: &str = "SELECT host_key, name FROM cookies WHERE host_key = 'notion.so' \
     OR host_key LIKE '%.notion.so' OR host_key = 'notion.com' OR host_key LIKE '%.notion.com'";

/// The `app-sessions` parameters of the `scan` check of the real flow.
fn flow_spec() -> AppSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("flows/notion-signout.json");
    let text = std::fs::read_to_string(&path).expect("read flows/notion-signout.json");
    let flow: serde_json::Value = serde_json::from_str(&text).expect("flow JSON");
    fn find(v: &serde_json::Value) -> Option<&serde_json::Value> {
        match v {
            serde_json::Value::Object(o) => {
                if o.get("probe").and_then(|p| p.as_str()) == Some("app-sessions") {
                    return o.get("params");
                }
                o.values().find_map(find)
            }
            serde_json::Value::Array(a) => a.iter().find_map(find),
            _ => None,
        }
    }
    let params = find(&flow).expect("an app-sessions check in the flow");
    serde_json::from_value(params.clone()).expect("AppSpec from the flow")
}

#[derive(Clone, Copy)]
struct Size {
    profiles: usize,
    cookies: usize,
    ls_keys: usize,
}

impl Size {
    fn label(&self) -> String {
        fn k(n: usize) -> String {
            if n >= 1000 && n.is_multiple_of(1000) {
                format!("{}k", n / 1000)
            } else {
                n.to_string()
            }
        }
        format!(
            "{} x {} x {}",
            self.profiles,
            k(self.cookies),
            k(self.ls_keys)
        )
    }
}

fn parse_sizes(s: &str) -> Vec<Size> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let n: Vec<usize> = p
                .trim()
                .split('x')
                .map(|x| x.trim().parse().expect("BENCH_SIZES: PxCxK,..."))
                .collect();
            assert_eq!(n.len(), 3, "BENCH_SIZES: PxCxK,...");
            Size {
                profiles: n[0],
                cookies: n[1],
                ls_keys: n[2],
            }
        })
        .collect()
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// The Chrome profile folders of a bench home.
fn chrome_profiles(home: &Home) -> Vec<PathBuf> {
    let udd = home.local_app_data().join("google-chrome");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&udd)
        .expect("bench home")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Preferences").is_file())
        .collect();
    out.sort();
    out
}

/// Copies of every profile's Local Storage LevelDB (minus `LOCK`), made
/// outside the floor's clock.
fn ls_copies(profiles: &[PathBuf]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let tmp = tempfile::Builder::new()
        .prefix("bench-floor-")
        .tempdir()
        .expect("temp dir");
    let mut dirs = Vec::new();
    for (i, p) in profiles.iter().enumerate() {
        let src = p.join("Local Storage/leveldb");
        let dst = tmp.path().join(i.to_string());
        std::fs::create_dir_all(&dst).expect("mkdir");
        for e in std::fs::read_dir(&src).expect("LevelDB folder").flatten() {
            let name = e.file_name();
            if name != "LOCK" && e.file_type().map(|t| t.is_file()).unwrap_or(false) {
                std::fs::copy(e.path(), dst.join(&name)).expect("copy");
            }
        }
        dirs.push(dst);
    }
    (tmp, dirs)
}

/// What the floor finds (to check it sees what the scan sees).
#[derive(Default, Debug)]
struct FloorOut {
    cookies: usize,
    ls_entries: usize,
}

/// The floor: plain reads of the same stores, single-threaded.
fn floor(profiles: &[PathBuf], ls_dirs: &[PathBuf]) -> FloorOut {
    let mut out = FloorOut::default();
    for p in profiles {
        let conn = Connection::open_with_flags(
            p.join("Cookies"),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .expect("open Cookies");
        let mut stmt = conn.prepare(FLOOR_SQL).expect("prepare");
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .expect("query");
        for r in rows {
            let _ = r.expect("row");
            out.cookies += 1;
        }
    }
    let prefixes = [origin_prefix(NOTION_WWW), origin_prefix(NOTION_APP)];
    for d in ls_dirs {
        let opts = Options {
            create_if_missing: false,
            ..Options::default()
        };
        let mut db = DB::open(d, opts).expect("open LevelDB copy");
        let mut it = db.new_iter().expect("iter");
        for prefix in &prefixes {
            it.seek(prefix);
            while it.valid() {
                let Some((k, _v)) = it.current() else { break };
                if !k.starts_with(prefix) {
                    break;
                }
                out.ls_entries += 1;
                if !it.advance() {
                    break;
                }
            }
        }
    }
    out
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// `--child scan|floor <home>`: one run, then the peak RSS on stdout.
fn child(what: &str, root: &Path) {
    let home = Home::new(root, Layout::Linux, true);
    match what {
        "scan" => {
            let report = scan(&home, &flow_spec());
            assert!(report.session_count > 0);
        }
        "floor" => {
            let profiles = chrome_profiles(&home);
            let (_tmp, dirs) = ls_copies(&profiles);
            let f = floor(&profiles, &dirs);
            assert!(f.ls_entries > 0);
        }
        other => panic!("unknown child {other}"),
    }
    println!("{}", peak_rss_kib());
}

fn child_peak_mib(what: &str, root: &Path) -> f64 {
    let out = Command::new(std::env::current_exe().expect("current exe"))
        .args(["--child", what])
        .arg(root)
        .output()
        .expect("run child");
    assert!(
        out.status.success(),
        "child {what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kib: f64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("child peak");
    kib / 1024.0
}

fn sessions_and_warnings(r: &ScanReport) -> (u32, usize) {
    (r.session_count, r.warnings.len())
}

struct Row {
    label: String,
    gen_time: Duration,
    scan: Duration,
    floor: Duration,
    scan_mib: f64,
    floor_mib: f64,
    store_mib: f64,
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                stack.push(e.path());
            } else {
                total += m.len();
            }
        }
    }
    total
}

fn bench_size(size: Size, runs: usize, spec: &AppSpec) -> Row {
    let tmp = tempfile::Builder::new()
        .prefix("bench-home-")
        .tempdir()
        .expect("temp dir");
    let t = Instant::now();
    let home = bench_home(tmp.path(), size.profiles, size.cookies, size.ls_keys)
        .expect("write bench home");
    let gen_time = t.elapsed();
    let store_mib = dir_bytes(tmp.path()) as f64 / 1048576.0;
    let profiles = chrome_profiles(&home);

    // Warm-up (page cache), and a check that both sides see the same thing.
    let report = scan(&home, spec);
    let (sessions, warnings) = sessions_and_warnings(&report);
    assert_eq!(sessions as usize, size.profiles, "one session per profile");
    assert_eq!(warnings, 0, "warnings: {:?}", report.warnings);
    let (_t, dirs) = ls_copies(&profiles);
    let f = floor(&profiles, &dirs);
    assert_eq!(f.ls_entries, size.profiles);
    assert_eq!(f.cookies, size.profiles * size.cookies.div_ceil(100));
    drop(_t);

    let mut scan_t = Vec::new();
    let mut floor_t = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let r = scan(&home, spec);
        scan_t.push(t.elapsed());
        assert_eq!(r.session_count, sessions);

        let (_t, dirs) = ls_copies(&profiles);
        let t = Instant::now();
        let f = floor(&profiles, &dirs);
        floor_t.push(t.elapsed());
        assert_eq!(f.ls_entries, size.profiles);
    }
    Row {
        label: size.label(),
        gen_time,
        scan: median(scan_t),
        floor: median(floor_t),
        scan_mib: child_peak_mib("scan", tmp.path()),
        floor_mib: child_peak_mib("floor", tmp.path()),
        store_mib,
    }
}

/// A realistic home: Chrome x3 profiles, Edge x1, Firefox x2 and the desktop
/// app, each with a few thousand cookies and some Local Storage of other
/// sites around the Notion data.
pub fn realistic_home(root: &Path) -> std::io::Result<Home> {
    let h = SampleHome::new(root, Layout::Linux);
    let noise_c = |mut p: troubleshoot::sample::ChromiumProfile, n: usize, ls: usize| {
        for c in 0..n {
            p = p.cookie(
                &format!(".site{}.example", c % 397),
                &format!("c{c}"),
                "noise",
            );
        }
        for k in 0..ls {
            p = p.ls_key(
                &format!("https://site{}.example", k % 53),
                &format!("key-{k}"),
                &format!("value-{k}-{}", "x".repeat(k % 64)),
            );
        }
        p
    };
    let chrome = [
        ("Default", "Work", true),
        ("Profile 1", "Personal", false),
        ("Profile 2", "Side project", false),
    ];
    for (i, (dir, name, sync)) in chrome.into_iter().enumerate() {
        let p = h
            .chromium_profile("chrome", dir, name)
            .workspace(
                NOTION_WWW,
                &format!("ws-chrome-{i}"),
                &format!("Chrome WS {i}"),
                &format!("u-{i}"),
            )
            .ls_key(
                NOTION_APP,
                "LRU:KeyValueStore2:current-user-id",
                &format!("{{\"value\":\"u-{i}\"}}"),
            )
            .cookie(".notion.so", "token_v2", "secret")
            .plain_cookie(".notion.so", "notion_user_id", &format!("u-{i}"))
            .google_account()
            .sync(sync)
            .compact(i != 2);
        noise_c(p, 3000, 2000).write()?;
    }
    let p = h
        .chromium_profile("edge", "Default", "Profile 1")
        .workspace(NOTION_WWW, "ws-edge", "Edge WS", "u-edge")
        .cookie(".notion.so", "token_v2", "secret");
    noise_c(p, 1500, 500).write()?;
    for (i, dir) in ["abcd1234.default-release", "efgh5678.work"]
        .into_iter()
        .enumerate()
    {
        let mut p = h
            .firefox_profile(dir, &format!("ff{i}"))
            .workspace(
                NOTION_WWW,
                &format!("ws-ff-{i}"),
                &format!("FF WS {i}"),
                &format!("u-ff-{i}"),
            )
            .cookie(".notion.so", "token_v2", "secret")
            .cookie(".notion.so", "notion_user_id", &format!("u-ff-{i}"));
        for c in 0..2000 {
            p = p.cookie(&format!(".site{}.example", c % 397), &format!("c{c}"), "v");
        }
        p.write()?;
    }
    h.desktop_app("Notion")
        .workspace(NOTION_WWW, "ws-desk", "Desktop WS", "u-desk")
        .cookie(".notion.so", "token_v2", "secret")
        .plain_cookie(".notion.so", "notion_user_id", "u-desk")
        .google_account()
        .write()?;
    Ok(h.home())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        child(&args[2], Path::new(&args[3]));
        return;
    }
    if args.get(1).map(String::as_str) == Some("--realistic-home") {
        let root = Path::new(&args[2]);
        realistic_home(root).expect("write realistic home");
        println!("{}", root.display());
        return;
    }

    let runs = env_usize("BENCH_RUNS", 7).max(1);
    let mut sizes = match std::env::var("BENCH_SIZES") {
        Ok(s) if !s.trim().is_empty() => parse_sizes(&s),
        _ => parse_sizes("3x1000x1000,6x5000x5000,20x20000x10000"),
    };
    if std::env::var("BENCH_LARGE").is_ok_and(|v| v == "1") {
        sizes.push(Size {
            profiles: 50,
            cookies: 20000,
            ls_keys: 20000,
        });
    }
    let spec = flow_spec();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!("## scan vs floor ({runs} runs each, median; {cores} cores)\n");
    println!(
        "| home (profiles x cookies x LS keys) | stores on disk | scan ms | floor ms | scan / floor | scan peak RSS | floor peak RSS | generate s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for size in sizes {
        let r = bench_size(size, runs, &spec);
        println!(
            "| {} | {:.0} MiB | {} | {} | {:.2}x | {:.1} MiB | {:.1} MiB | {:.1} |",
            r.label,
            r.store_mib,
            ms(r.scan),
            ms(r.floor),
            r.scan.as_secs_f64() / r.floor.as_secs_f64(),
            r.scan_mib,
            r.floor_mib,
            r.gen_time.as_secs_f64()
        );
    }

    // The realistic home.
    let tmp = tempfile::Builder::new()
        .prefix("bench-realistic-")
        .tempdir()
        .expect("temp dir");
    let home = realistic_home(tmp.path()).expect("realistic home");
    let first = scan(&home, &spec);
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    let mut times = Vec::new();
    for _ in 0..runs.max(11) {
        let t = Instant::now();
        let r = scan(&home, &spec);
        times.push(t.elapsed());
        assert_eq!(r.session_count, first.session_count);
    }
    println!("\n## realistic home (Chrome x3, Edge x1, Firefox x2, desktop app)\n");
    println!("| measure | median | target | met |");
    println!("|---|---:|---:|---|");
    let m = median(times);
    println!(
        "| full scan ({} sessions, {} profiles) | {} ms | < 50 ms | {} |",
        first.session_count,
        first.browsers.len(),
        ms(m),
        if m < Duration::from_millis(50) {
            "yes"
        } else {
            "no"
        }
    );

    if std::env::var("BENCH_NO_PROMPT").is_ok_and(|v| v == "1") {
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/first_prompt.py");
    let bin = env!("CARGO_BIN_EXE_troubleshoot");
    let out = Command::new("python3")
        .arg(&script)
        .args(["--bin", bin, "--root"])
        .arg(tmp.path())
        .args(["--runs", &env_usize("BENCH_PROMPT_RUNS", 20).to_string()])
        .arg("--markdown-rows")
        .output();
    match out {
        Ok(o) if o.status.success() => print!("{}", String::from_utf8_lossy(&o.stdout)),
        Ok(o) => println!(
            "| time to first prompt | not measured: {} | < 100 ms | - |",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("first_prompt.py failed")
        ),
        Err(e) => println!("| time to first prompt | not measured: {e} | < 100 ms | - |"),
    }
}
