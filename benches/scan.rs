//! `cargo bench --bench scan`: the scan against independent floors (issues
//! 14 and 23).
//!
//! For homes of growing size (Chrome profiles x cookies x Local Storage keys,
//! written in real formats by `testkit::bench_home`, every profile with
//! Notion's real key families and sign-in cookies around its filler: half
//! the Local Storage stores compacted into tables, half still in a
//! Chromium-size `.log`) it
//! measures, as medians of `BENCH_RUNS` runs, interleaved:
//!
//! * **scan**: `troubleshoot::probe::scan` through the library, with the
//!   `app-sessions` parameters of `flows/notion-signout.json` (through
//!   `probe::app_sessions::builtin_spec`); wall time, and
//!   the CPU time of the process (all threads) from `getrusage`;
//! * **C++ floor**: `bench/floor.py` run with Debian's `/usr/bin/python3`
//!   (python3-plyvel, C++ LevelDB) in its own process, on copies of the
//!   stores made before it starts: it opens each LevelDB copy with plyvel and
//!   iterates the three Notion origin prefixes, and opens each `Cookies` copy
//!   with sqlite3 and selects the Notion cookie rows. It times itself around
//!   the reads only (interpreter start, imports and copying not counted) and
//!   prints JSON with its counts, which must equal the scan's (Notion Local
//!   Storage entries, as the reader alone counts them; every account's
//!   workspaces with their short ids, which the floor derives from the key
//!   families with its own regexes; Notion cookies): both read the same
//!   data;
//! * **raw log read**: every `.log` byte of the home read with
//!   `std::fs::read`, one thread (the stretch baseline);
//! * **reader alone**: `readers::leveldb::read_local_storage` on every Local
//!   Storage store, one after the other on one thread (to compare with the
//!   floor's LevelDB part, which is also one thread).
//!
//! Peak memory is measured in a child process (this binary re-executed with
//! `--child scan <home>`), which runs one scan and reports `VmHWM` from
//! `/proc/self/status`. For profiling, `--bench-home <dir> PxCxK` writes one
//! home and `--child scan <dir> N` scans it N times.
//!
//! Then a realistic home (Chrome x3 profiles, Edge x1, Firefox x2, the desktop
//! app) is scanned, and `bench/first_prompt.py` measures the time to the first
//! question of the release binary on a pseudo-terminal.
//!
//! Environment: `BENCH_RUNS` (default 7); `BENCH_SIZES="3x1000x1000,..."`
//! replaces the list of homes (profiles x cookies x keys); `BENCH_LARGE=1`
//! adds a 50 x 40k x 15k home; `BENCH_PYTHON` (default `/usr/bin/python3`);
//! `BENCH_FLOOR_TMP` (default `/dev/shm` when present: where the floor's
//! copies go); `BENCH_PROMPT_RUNS` (default 20); `BENCH_NO_PROMPT=1` skips
//! the pty measurement, `BENCH_NO_MEMORY=1` the memory series (homes of 20
//! profiles where only Local Storage, or only the cookie databases, grow).
//! The report is Markdown on stdout.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use testkit::{NOTION_WWW, SampleHome, bench_home};
use troubleshoot::probe::{AppSpec, Home, Layout, ScanReport, scan};
use troubleshoot::readers::leveldb::read_local_storage;

/// Targets for the large home: issue 14's, tightened by issue 23 (homes
/// in the real shape).
const TARGET_FLOOR_RATIO: f64 = 0.2;
const TARGET_PEAK_MIB: f64 = 32.0;
const STRETCH_RAW_RATIO: f64 = 10.0;
/// Peak memory is "flat" when the largest home takes less than this much
/// more than the smallest.
const FLAT_MIB: f64 = 4.0;
/// The home the targets are about.
const TARGET_HOME: Size = Size {
    profiles: 20,
    cookies: 20_000,
    ls_keys: 10_000,
};

#[derive(Clone, Copy, PartialEq, Eq)]
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

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1048576.0
}

/// CPU time (user + system, every thread) of this process so far.
fn cpu_time() -> Duration {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
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

/// Every regular file under `dir` whose name `pred` accepts, sorted.
fn files_under(dir: &Path, pred: &dyn Fn(&str) -> bool) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() && pred(&e.file_name().to_string_lossy()) {
                let len = e.metadata().map_or(0, |m| m.len());
                out.push((e.path(), len));
            }
        }
    }
    out.sort();
    out
}

/// Where the floor's copies go: tmpfs when there is one, so that C++
/// LevelDB's writes on open (a table from the replayed log, a MANIFEST,
/// fsyncs) cost it as little as possible, and no writeback of the copies
/// runs during the next measurement.
fn floor_tmp_base() -> PathBuf {
    if let Ok(p) = std::env::var("BENCH_FLOOR_TMP")
        && !p.is_empty()
    {
        return PathBuf::from(p);
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Copies of every profile's Local Storage LevelDB (minus `LOCK`) and
/// `Cookies`, laid out as `bench/floor.py` expects: `<n>/leveldb/`,
/// `<n>/Cookies`.
fn floor_copies(profiles: &[PathBuf]) -> tempfile::TempDir {
    let tmp = tempfile::Builder::new()
        .prefix("bench-floor-")
        .tempdir_in(floor_tmp_base())
        .expect("temp dir for the floor's copies");
    for (i, p) in profiles.iter().enumerate() {
        let base = tmp.path().join(format!("{i:04}"));
        let dst = base.join("leveldb");
        std::fs::create_dir_all(&dst).expect("mkdir");
        for e in std::fs::read_dir(p.join("Local Storage/leveldb"))
            .expect("LevelDB folder")
            .flatten()
        {
            let name = e.file_name();
            if name != "LOCK" && e.file_type().is_ok_and(|t| t.is_file()) {
                std::fs::copy(e.path(), dst.join(&name)).expect("copy");
            }
        }
        std::fs::copy(p.join("Cookies"), base.join("Cookies")).expect("copy Cookies");
    }
    tmp
}

/// What `bench/floor.py` reports.
#[derive(Debug, serde::Deserialize)]
struct FloorOut {
    seconds: f64,
    cpu_seconds: f64,
    leveldb_seconds: f64,
    leveldb_open_seconds: f64,
    sqlite_seconds: f64,
    leveldb_stores: usize,
    cookie_dbs: usize,
    ls_entries: usize,
    workspaces: Vec<String>,
    cookies: usize,
    peak_rss_kib: u64,
}

fn python() -> String {
    std::env::var("BENCH_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "/usr/bin/python3".into())
}

/// One run of the C++ floor on fresh copies (made before it starts).
fn run_floor(profiles: &[PathBuf]) -> FloorOut {
    let copies = floor_copies(profiles);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/floor.py");
    let out = Command::new(python())
        .arg(&script)
        .arg(copies.path())
        .output()
        .unwrap_or_else(|e| panic!("run {} {}: {e}", python(), script.display()));
    assert!(
        out.status.success(),
        "bench/floor.py failed (it needs Debian's /usr/bin/python3 with python3-plyvel): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let f: FloorOut = serde_json::from_slice(&out.stdout).expect("floor.py JSON");
    assert_eq!(f.leveldb_stores, profiles.len());
    assert_eq!(f.cookie_dbs, profiles.len());
    f
}

/// What the scan found, in the floor's terms.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    ls_entries: usize,
    workspaces: Vec<String>,
    cookies: usize,
}

/// The scan's workspaces as the floor spells them: `user/space/short id`
/// of every session; and its Notion Local Storage entries, counted by the
/// reader alone (the scan keeps only what its patterns match).
fn scan_counts(r: &ScanReport, ls_entries: usize) -> Counts {
    let mut workspaces: Vec<String> = r
        .sessions
        .iter()
        .map(|s| {
            format!(
                "{}/{}/{}",
                s.user_id.as_deref().unwrap_or(""),
                s.workspace_id,
                s.short_id.as_deref().unwrap_or("")
            )
        })
        .collect();
    workspaces.sort();
    Counts {
        ls_entries,
        workspaces,
        // Names are unique per profile in the bench home, so distinct names
        // are rows.
        cookies: r.browsers.iter().map(|b| b.app_cookies.len()).sum(),
    }
}

fn floor_counts(f: &FloorOut) -> Counts {
    Counts {
        ls_entries: f.ls_entries,
        workspaces: f.workspaces.clone(),
        cookies: f.cookies,
    }
}

/// The stretch floor: read every `.log` byte, one thread.
fn raw_log_read(logs: &[(PathBuf, u64)]) -> (Duration, u64) {
    let t = Instant::now();
    let mut total = 0u64;
    for (p, _) in logs {
        let b = std::fs::read(p).expect("read log");
        total += std::hint::black_box(b).len() as u64;
    }
    (t.elapsed(), total)
}

/// The LevelDB reader alone, on every Local Storage store, one thread.
fn reader_alone(ls_dirs: &[PathBuf], origins: &[String]) -> (Duration, usize) {
    let t = Instant::now();
    let mut n = 0;
    for d in ls_dirs {
        let r = read_local_storage(d, origins).expect("read Local Storage");
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        n += r.entries.len();
    }
    (t.elapsed(), n)
}

/// The 1-minute load average (other work on the machine during the run).
fn load_1min() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// `--child scan <home> [N]`: one scan (or N, for a profiler), then the
/// peak RSS on stdout.
fn child(what: &str, root: &Path, times: usize) {
    let home = Home::new(root, Layout::Linux, true);
    let spec = testkit::notion_spec();
    match what {
        "scan" => {
            for _ in 0..times.max(1) {
                let report = scan(&home, spec);
                assert!(report.session_count > 0);
            }
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

/// Peak RSS of one scan in a child process, median of 3 children.
fn scan_peak_mib(root: &Path) -> f64 {
    let mut v: Vec<f64> = (0..3).map(|_| child_peak_mib("scan", root)).collect();
    v.sort_by(f64::total_cmp);
    v[1]
}

/// One home of the memory series.
struct MemPoint {
    size: Size,
    store_bytes: u64,
    largest_log: u64,
    app_cookies: usize,
    peak_mib: f64,
}

fn memory_point(size: Size, spec: &AppSpec) -> MemPoint {
    let tmp = tempfile::Builder::new()
        .prefix("bench-mem-")
        .tempdir()
        .expect("temp dir");
    let home = bench_home(tmp.path(), size.profiles, size.cookies, size.ls_keys)
        .expect("write bench home");
    let files = files_under(tmp.path(), &|_| true);
    let r = scan(&home, spec);
    assert!(r.warnings.is_empty(), "warnings: {:?}", r.warnings);
    assert_eq!(r.session_count as usize, 2 * size.profiles);
    MemPoint {
        size,
        store_bytes: files.iter().map(|f| f.1).sum(),
        largest_log: files
            .iter()
            .filter(|f| f.0.extension().is_some_and(|x| x == "log"))
            .map(|f| f.1)
            .max()
            .unwrap_or(0),
        app_cookies: scan_counts(&r, 0).cookies,
        peak_mib: scan_peak_mib(tmp.path()),
    }
}

/// Series of homes with 20 profiles where one kind of store grows and the
/// other stays small: Local Storage (keys, so logs and tables), then
/// cookie databases.
const MEMORY_SERIES: [(&str, &str); 2] = [
    (
        "Local Storage grows",
        "20x1000x1000,20x1000x5000,20x1000x15000",
    ),
    (
        "Cookies grow",
        "20x1000x1000,20x20000x1000,20x40000x1000,20x80000x1000",
    ),
];

struct Row {
    size: Size,
    gen_time: Duration,
    store_bytes: u64,
    log_bytes: u64,
    largest_log: u64,
    log_stores: usize,
    table_stores: usize,
    scan: Duration,
    scan_cpu: Duration,
    floor: Duration,
    floor_cpu: Duration,
    floor_leveldb: Duration,
    floor_open: Duration,
    floor_sqlite: Duration,
    floor_mib: f64,
    raw: Duration,
    reader: Duration,
    scan_mib: f64,
    counts: Counts,
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
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
    let store_bytes: u64 = files_under(tmp.path(), &|_| true).iter().map(|f| f.1).sum();
    let logs = files_under(tmp.path(), &|n| n.ends_with(".log"));
    let log_bytes: u64 = logs.iter().map(|f| f.1).sum();
    let largest_log = logs.iter().map(|f| f.1).max().unwrap_or(0);
    let profiles = chrome_profiles(&home);
    let ls_dirs: Vec<PathBuf> = profiles
        .iter()
        .map(|p| p.join("Local Storage/leveldb"))
        .collect();
    let mut log_stores = 0;
    let mut table_stores = 0;
    for d in &ls_dirs {
        let tables = files_under(d, &|n| n.ends_with(".ldb") || n.ends_with(".sst"));
        if tables.is_empty() {
            log_stores += 1;
        } else {
            table_stores += 1;
        }
    }

    // Warm-up (page cache), and the check that the scan and the floor see
    // the same data.
    let report = scan(&home, spec);
    assert_eq!(
        report.session_count as usize,
        2 * size.profiles,
        "two workspaces of one account per profile"
    );
    assert!(
        report.warnings.is_empty(),
        "warnings: {:?}",
        report.warnings
    );
    let origins = spec.origins.clone();
    let (_, n) = reader_alone(&ls_dirs, &origins);
    let counts = scan_counts(&report, n);
    assert_eq!(
        counts.cookies,
        size.profiles * size.cookies.min(1000).div_ceil(100)
    );
    let f = run_floor(&profiles);
    assert_eq!(floor_counts(&f), counts, "the floor and the scan disagree");
    let (_, raw_total) = raw_log_read(&logs);
    assert_eq!(raw_total, log_bytes);

    let mut scan_t = Vec::new();
    let mut scan_cpu = Vec::new();
    let mut floor_t = Vec::new();
    let mut floor_cpu = Vec::new();
    let mut floor_ldb = Vec::new();
    let mut floor_open = Vec::new();
    let mut floor_sql = Vec::new();
    let mut floor_kib = 0;
    let mut raw_t = Vec::new();
    let mut reader_t = Vec::new();
    for _ in 0..runs {
        let c = cpu_time();
        let t = Instant::now();
        let r = scan(&home, spec);
        scan_t.push(t.elapsed());
        scan_cpu.push(cpu_time().saturating_sub(c));
        assert_eq!(scan_counts(&r, counts.ls_entries), counts);

        let f = run_floor(&profiles);
        assert_eq!(floor_counts(&f), counts);
        floor_t.push(secs(f.seconds));
        floor_cpu.push(secs(f.cpu_seconds));
        floor_ldb.push(secs(f.leveldb_seconds));
        floor_open.push(secs(f.leveldb_open_seconds));
        floor_sql.push(secs(f.sqlite_seconds));
        floor_kib = floor_kib.max(f.peak_rss_kib);

        raw_t.push(raw_log_read(&logs).0);
        reader_t.push(reader_alone(&ls_dirs, &origins).0);
    }
    Row {
        size,
        gen_time,
        store_bytes,
        log_bytes,
        largest_log,
        log_stores,
        table_stores,
        scan: median(scan_t),
        scan_cpu: median(scan_cpu),
        floor: median(floor_t),
        floor_cpu: median(floor_cpu),
        floor_leveldb: median(floor_ldb),
        floor_open: median(floor_open),
        floor_sqlite: median(floor_sql),
        floor_mib: floor_kib as f64 / 1024.0,
        raw: median(raw_t),
        reader: median(reader_t),
        scan_mib: scan_peak_mib(tmp.path()),
        counts,
    }
}

/// A realistic home: Chrome x3 profiles, Edge x1, Firefox x2 and the desktop
/// app, each with a few thousand cookies and some Local Storage of other
/// sites around the Notion data.
pub fn realistic_home(root: &Path) -> std::io::Result<Home> {
    let h = SampleHome::new(root, Layout::Linux);
    let noise_c = |mut p: testkit::ChromiumProfile, n: usize, ls: usize| {
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
    use testkit::notion::{
        NotionDb, NotionLocalStorage, notion_users, notion_users_plain, sample_id,
    };
    let user = |n: usize| sample_id(0x0a, n);
    let space = |n: usize| sample_id(0x05, n);
    // (profile dir, name, sync, accounts with their workspaces)
    type Accounts<'a> = &'a [(usize, &'a [usize])];
    let chrome: [(&str, &str, bool, Accounts); 3] = [
        ("Default", "Work", true, &[(1, &[1, 2])]),
        ("Profile 1", "Personal", false, &[(2, &[3])]),
        ("Profile 2", "Side project", false, &[(1, &[1]), (3, &[4])]),
    ];
    for (i, (dir, name, sync, accounts)) in chrome.into_iter().enumerate() {
        let mut p = h.chromium_profile("chrome", dir, name);
        let mut ids = Vec::new();
        for (u, spaces) in accounts {
            p = p.account_used(NOTION_WWW, &user(*u));
            for sp in *spaces {
                p = p.workspace_of(NOTION_WWW, &user(*u), &space(*sp));
            }
            ids.push(user(*u));
        }
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        p = p
            .identity_user(ids[0])
            .last_visited(NOTION_WWW, ids[0], &space(accounts[0].1[0]))
            .sign_in_cookie()
            .cookie(".www.notion.so", "notion_user_id", ids[0])
            .cookie(".www.notion.so", "notion_users", &notion_users(&ids))
            .google_account()
            .sync(sync)
            .compact(i != 2);
        noise_c(p, 3000, 2000).write()?;
    }
    let p = h
        .chromium_profile("edge", "Default", "Profile 1")
        .account_used(NOTION_WWW, &user(4))
        .workspace_of(NOTION_WWW, &user(4), &space(5))
        .sign_in_cookie()
        .cookie(".www.notion.so", "notion_user_id", &user(4));
    noise_c(p, 1500, 500).write()?;
    for (i, dir) in ["abcd1234.default-release", "efgh5678.work"]
        .into_iter()
        .enumerate()
    {
        let u = user(5 + i);
        let mut p = h
            .firefox_profile(dir, &format!("ff{i}"))
            .account_used(NOTION_WWW, &u)
            .workspace_of(NOTION_WWW, &u, &space(6 + i))
            .sign_in_cookie()
            .cookie(".www.notion.so", "notion_user_id", &u);
        for c in 0..2000 {
            p = p.cookie(&format!(".site{}.example", c % 397), &format!("c{c}"), "v");
        }
        p.write()?;
    }
    let data = h
        .desktop_app("Notion")
        .identity_user(&user(1))
        .account_used(NOTION_WWW, &user(1))
        .account_used(NOTION_WWW, &user(2))
        .workspace_of(NOTION_WWW, &user(1), &space(1))
        .workspace_of(NOTION_WWW, &user(2), &space(3))
        .plain_cookie(".www.notion.so", "token_v2", "secret")
        .plain_cookie(".www.notion.so", "notion_user_id", &user(1))
        .plain_cookie(
            ".www.notion.so",
            "notion_users",
            &notion_users_plain(&[&user(1), &user(2)]),
        )
        .google_account()
        .write()?;
    NotionDb::new()
        .signed_in(&user(1))
        .signed_in(&user(2))
        .member(&user(1), &space(1))
        .member(&user(1), &space(2))
        .member(&user(2), &space(3))
        .space(&space(1), "Acme Corp")
        .space(&space(2), "Acme Labs")
        .space(&space(3), "Side Gig")
        .user(&user(1), "Ada Example", "ada@example.com")
        .write(&data)?;
    Ok(h.home())
}

fn yes(met: bool) -> &'static str {
    if met { "**yes**" } else { "**no**" }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        let times = args.get(4).and_then(|n| n.parse().ok()).unwrap_or(1);
        child(&args[2], Path::new(&args[3]), times);
        return;
    }
    if args.get(1).map(String::as_str) == Some("--realistic-home") {
        let root = Path::new(&args[2]);
        realistic_home(root).expect("write realistic home");
        println!("{}", root.display());
        return;
    }
    if args.get(1).map(String::as_str) == Some("--bench-home") {
        // `--bench-home <dir> PxCxK`: write one bench home (for profiling).
        let root = Path::new(&args[2]);
        let s = parse_sizes(&args[3])[0];
        bench_home(root, s.profiles, s.cookies, s.ls_keys).expect("write bench home");
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
            cookies: 40000,
            ls_keys: 15000,
        });
    }
    let spec = testkit::notion_spec();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let load_before = load_1min();
    let rows: Vec<Row> = sizes
        .iter()
        .map(|&size| bench_size(size, runs, spec))
        .collect();
    let load_after = load_1min();

    println!("## Scan against the floors ({runs} runs each, medians; {cores} cores)\n");
    println!(
        "1-minute load average {load_before} before the homes, {load_after} after (other work on the machine).\n"
    );
    println!(
        "| home (profiles x cookies x LS keys) | stores on disk | `.log` bytes | scan ms | C++ floor ms | scan / C++ floor | raw log read ms | scan / raw log read | scan peak RSS |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {:.1} MiB | {:.1} MiB | {} | {} | {:.2}x | {} | {:.1}x | {:.1} MiB |",
            r.size.label(),
            mib(r.store_bytes),
            mib(r.log_bytes),
            ms(r.scan),
            ms(r.floor),
            r.scan.as_secs_f64() / r.floor.as_secs_f64(),
            ms(r.raw),
            r.scan.as_secs_f64() / r.raw.as_secs_f64(),
            r.scan_mib,
        );
    }

    println!("\n### Details\n");
    println!(
        "| home | LS stores: log only / with tables | largest `.log` | scan CPU ms (all threads) | C++ floor: LevelDB ms (of it in open) + SQLite ms | C++ floor CPU ms | reader alone (1 thread) ms | reader / floor's LevelDB | floor peak RSS (interpreter) | same data (entries, workspaces, cookies) | generate s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    for r in &rows {
        println!(
            "| {} | {} / {} | {:.2} MiB | {} | {} ({}) + {} | {} | {} | {:.2}x | {:.1} MiB | yes: {}, {}, {} | {:.1} |",
            r.size.label(),
            r.log_stores,
            r.table_stores,
            mib(r.largest_log),
            ms(r.scan_cpu),
            ms(r.floor_leveldb),
            ms(r.floor_open),
            ms(r.floor_sqlite),
            ms(r.floor_cpu),
            ms(r.reader),
            r.reader.as_secs_f64() / r.floor_leveldb.as_secs_f64(),
            r.floor_mib,
            r.counts.ls_entries,
            r.counts.workspaces.len(),
            r.counts.cookies,
            r.gen_time.as_secs_f64(),
        );
    }

    // Peak memory against store size: the homes above, then the series.
    // Flat: less than FLAT_MIB more at the largest home than at the smallest.
    let mut flat_notes: Vec<String> = Vec::new();
    let mut flat = true;
    let smallest = rows.iter().min_by_key(|r| r.store_bytes);
    let largest = rows.iter().max_by_key(|r| r.store_bytes);
    println!("\n### Peak memory against store size\n");
    if let (Some(s), Some(l)) = (smallest, largest)
        && rows.len() > 1
    {
        let grow = l.scan_mib - s.scan_mib;
        flat &= grow < FLAT_MIB;
        flat_notes.push(format!("homes above {grow:+.1} MiB"));
        println!(
            "Homes above: {:.1} MiB at {:.1} MiB of stores ({}), {:.1} MiB at {:.1} MiB ({}): {:+.1} MiB for {:.0}x the data.\n",
            s.scan_mib,
            mib(s.store_bytes),
            s.size.label(),
            l.scan_mib,
            mib(l.store_bytes),
            l.size.label(),
            grow,
            l.store_bytes as f64 / s.store_bytes.max(1) as f64,
        );
    }
    if !std::env::var("BENCH_NO_MEMORY").is_ok_and(|v| v == "1") {
        println!(
            "| series (20 profiles) | home | stores on disk | largest `.log` | Notion cookie rows found | scan peak RSS (median of 3) |"
        );
        println!("|---|---|---:|---:|---:|---:|");
        let mut cache: Vec<MemPoint> = Vec::new();
        for (name, sizes) in MEMORY_SERIES {
            let mut points: Vec<(f64, u64)> = Vec::new();
            for size in parse_sizes(sizes) {
                if !cache.iter().any(|m| m.size == size) {
                    cache.push(memory_point(size, spec));
                }
                let m = cache.iter().find(|m| m.size == size).expect("measured");
                println!(
                    "| {name} | {} | {:.1} MiB | {:.2} MiB | {} | {:.1} MiB |",
                    m.size.label(),
                    mib(m.store_bytes),
                    mib(m.largest_log),
                    m.app_cookies,
                    m.peak_mib
                );
                points.push((m.peak_mib, m.store_bytes));
            }
            let (first, last) = (points[0], points[points.len() - 1]);
            let grow = last.0 - first.0;
            flat &= grow < FLAT_MIB;
            flat_notes.push(format!(
                "{} {grow:+.1} MiB for {:.0}x the data",
                name.to_lowercase(),
                last.1 as f64 / first.1.max(1) as f64
            ));
        }
    }
    println!(
        "\nPeak memory {} (criterion: less than {FLAT_MIB:.0} MiB more from the smallest to the largest home of each set): {}.",
        if flat { "is flat" } else { "is NOT flat" },
        flat_notes.join("; ")
    );

    if let Some(r) = rows.iter().find(|r| r.size == TARGET_HOME) {
        let fr = r.scan.as_secs_f64() / r.floor.as_secs_f64();
        let rr = r.scan.as_secs_f64() / r.raw.as_secs_f64();
        println!(
            "\n### Targets (issues 14 and 23), home {}\n",
            r.size.label()
        );
        println!("| target | measured | met |");
        println!("|---|---:|---|");
        println!(
            "| scan <= {TARGET_FLOOR_RATIO}x the C++ floor | {fr:.2}x ({} ms / {} ms) | {} |",
            ms(r.scan),
            ms(r.floor),
            yes(fr <= TARGET_FLOOR_RATIO)
        );
        println!(
            "| scan peak memory < {TARGET_PEAK_MIB:.0} MiB | {:.1} MiB | {} |",
            r.scan_mib,
            yes(r.scan_mib < TARGET_PEAK_MIB)
        );
        println!(
            "| peak memory flat in store size (less than {FLAT_MIB:.0} MiB more) | {} | {} |",
            flat_notes.join("; "),
            yes(flat)
        );
        println!(
            "| stretch: scan within {STRETCH_RAW_RATIO:.0}x the raw log read | {rr:.1}x ({} ms / {} ms) | {} |",
            ms(r.scan),
            ms(r.raw),
            yes(rr <= STRETCH_RAW_RATIO)
        );
    }

    // The realistic home.
    let tmp = tempfile::Builder::new()
        .prefix("bench-realistic-")
        .tempdir()
        .expect("temp dir");
    let home = realistic_home(tmp.path()).expect("realistic home");
    let first = scan(&home, spec);
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    let mut times = Vec::new();
    for _ in 0..runs.max(11) {
        let t = Instant::now();
        let r = scan(&home, spec);
        times.push(t.elapsed());
        assert_eq!(r.session_count, first.session_count);
    }
    println!("\n## Realistic home (Chrome x3, Edge x1, Firefox x2, desktop app)\n");
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
