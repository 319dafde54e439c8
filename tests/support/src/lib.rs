//! The test kit: sample homes in real formats, for the integration tests
//! and the benchmarks (a dev-dependency of `troubleshoot`; nothing here is
//! in the product).
//!
//! Every store is written in the format the real program writes: Chromium
//! `Local State`, `Preferences`, `Cookies` (schema 24, values encrypted as
//! `v10` blobs) and Local Storage LevelDB (`VERSION`, `META:<origin>`,
//! `_<origin>\x00<b><key>`); Firefox `profiles.ini`, `installs.ini`,
//! `cookies.sqlite` (optionally with rows only in the WAL) and LSNG
//! `data.sqlite` (snappy for long values); the Notion desktop app's
//! `Partitions/notion` stores. [`notion`] adds what current Notion builds
//! write: Local Storage envelopes and key names, the `notion_users` cookie,
//! the desktop app's `state.json` tabs and `notion.db`. The bytes inside
//! the stores are encoded by [`encode`], not by the readers under test.
//!
//! ```no_run
//! use troubleshoot::probe::Layout;
//! use testkit::SampleHome;
//! let home = SampleHome::new("/tmp/h", Layout::Linux);
//! home.chromium_profile("chrome", "Default", "Person 1")
//!     .workspace("https://www.notion.so", "ws-1", "Acme Corp", "user-1")
//!     .sync(true)
//!     .write()
//!     .unwrap();
//! ```

pub mod encode;
pub mod notion;
pub mod slack;
pub mod stores;

use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use troubleshoot::probe::browsers::{Browser, Family};
use troubleshoot::probe::{AppSpec, Home, Layout};

use encode::{firefox_origin_dir, hostname};
pub use stores::LsLayout;
pub use stores::SampleCookie;
use stores::{other, write_chromium_cookies, write_chromium_ls, write_lsng, write_moz_cookies};

/// The origins Notion serves from.
pub const NOTION_WWW: &str = "https://www.notion.so";
pub const NOTION_APP: &str = "https://app.notion.com";

/// The `app-sessions` parameters of the built-in `notion-signout` flow, the
/// spec the tests and benchmarks scan with (loaded once).
pub fn notion_spec() -> &'static AppSpec {
    static SPEC: std::sync::LazyLock<AppSpec> = std::sync::LazyLock::new(|| {
        troubleshoot::probe::app_sessions::builtin_spec(troubleshoot::flow::builtin::DEFAULT_FLOW)
            .unwrap_or_else(|e| panic!("the built-in flow's spec: {e}"))
    });
    &SPEC
}

/// A home folder being filled with sample data.
#[derive(Debug, Clone)]
pub struct SampleHome {
    pub root: PathBuf,
    pub layout: Layout,
}

impl SampleHome {
    pub fn new(root: impl Into<PathBuf>, layout: Layout) -> SampleHome {
        SampleHome {
            root: root.into(),
            layout,
        }
    }

    /// The home as a probe sees it with `--root` (lock files only).
    pub fn home(&self) -> Home {
        Home::new(self.root.clone(), self.layout, true)
    }

    /// A Chromium-family profile: `browser_id` is "chrome", "chromium",
    /// "edge", "brave" or "vivaldi"; `dir` the profile folder ("Default",
    /// "Profile 1"); `display_name` its name in `Local State`.
    pub fn chromium_profile(
        &self,
        browser_id: &str,
        dir: &str,
        display_name: &str,
    ) -> ChromiumProfile {
        ChromiumProfile {
            home: self.home(),
            browser_id: browser_id.to_string(),
            dir: dir.to_string(),
            display_name: display_name.to_string(),
            ls: Vec::new(),
            cookies: Vec::new(),
            sign_in: false,
            sync: false,
            singleton_lock: None,
            network_cookies: self.layout == Layout::Windows,
            ls_layout: LsLayout::default(),
        }
    }

    /// A Firefox profile folder `dir` ("abcd1234.default-release") named
    /// `display_name` in `profiles.ini`.
    pub fn firefox_profile(&self, dir: &str, display_name: &str) -> FirefoxProfile {
        FirefoxProfile {
            home: self.home(),
            dir: dir.to_string(),
            display_name: display_name.to_string(),
            ls: Vec::new(),
            cookies: Vec::new(),
            sign_in: false,
            sync: false,
            cookies_in_wal: false,
            lock_pid: None,
            xdg: false,
            in_profiles_ini: true,
        }
    }

    /// The Notion desktop app (Electron) with its data folder `folder`
    /// ("Notion") and session partition "Partitions/notion".
    pub fn desktop_app(&self, folder: &str) -> DesktopApp {
        DesktopApp {
            home: self.home(),
            folder: folder.to_string(),
            partition: "Partitions/notion".to_string(),
            ls: Vec::new(),
            cookies: Vec::new(),
            sign_in: false,
            singleton_lock: None,
        }
    }
}

fn workspace_value(id: &str, name: &str, user_id: &str) -> String {
    let mut v = json!({ "id": id, "name": name });
    if !user_id.is_empty() {
        v["user_id"] = json!(user_id);
    }
    v.to_string()
}

/// Google sign-in cookies (a linked Google account).
fn google_cookies() -> Vec<SampleCookie> {
    ["SID", "__Secure-3PSID", "HSID"]
        .iter()
        .map(|n| SampleCookie {
            host: ".google.com".into(),
            name: (*n).into(),
            value: format!("google-secret-{n}"),
            encrypted: true,
        })
        .collect()
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) -> io::Result<()> {
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &str, link: &Path) -> io::Result<()> {
    std::fs::write(link, target)
}

fn read_json(path: &Path) -> Value {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| json!({}))
}

fn write_json(path: &Path, v: &Value) -> io::Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let s = serde_json::to_string(v).map_err(|e| other("json", e))?;
    std::fs::write(path, s)
}

/// Local Storage builder methods shared by every store builder (Chromium
/// profiles, the desktop app, Firefox profiles).
macro_rules! local_storage_methods {
    () => {
        /// A workspace entry in the article's convention: key
        /// `notion:workspace:<id>`, JSON value `{id, name, user_id}` (no
        /// `user_id` when empty).
        ///
        /// The store is signed in, as a page with such an entry would be:
        /// unless a `token_v2` cookie is planted otherwise, one is written
        /// with the store. No real Notion build writes these keys;
        /// [`notion`] builds the real shape.
        pub fn workspace(mut self, origin: &str, id: &str, name: &str, user_id: &str) -> Self {
            self.ls.push((
                origin.into(),
                format!("notion:workspace:{id}"),
                workspace_value(id, name, user_id),
            ));
            self.sign_in_cookie()
        }

        /// Signed in: a `token_v2` sign-in cookie on `.www.notion.so`,
        /// sealed as this store seals values, written with the store unless
        /// a `token_v2` cookie is planted otherwise. Its value is never read.
        pub fn sign_in_cookie(mut self) -> Self {
            self.sign_in = true;
            self
        }

        /// The cookies to write: the planted ones, and the sign-in cookie.
        fn cookies_to_write(&self) -> Vec<SampleCookie> {
            let mut out = self.cookies.clone();
            if self.sign_in && !out.iter().any(|c| c.name == "token_v2") {
                out.push(SampleCookie {
                    host: ".www.notion.so".into(),
                    name: "token_v2".into(),
                    value: "v02%3Auser_token_or_cookies%3Asample".into(),
                    encrypted: Self::SEALS_VALUES,
                });
            }
            out
        }

        /// Any Local Storage key, encoded as the store's browser does.
        pub fn ls_key(mut self, origin: &str, key: &str, value: &str) -> Self {
            self.ls.push((origin.into(), key.into(), value.into()));
            self
        }
    };
}

/// Cookie builder methods shared by every Chromium-format store (a browser
/// profile, the desktop app), plus their Local Storage methods.
macro_rules! chromium_store_methods {
    () => {
        local_storage_methods!();

        /// A cookie stored as Chromium does with an encryption key: empty
        /// `value`, `v10`-prefixed `encrypted_value`.
        pub fn cookie(mut self, host: &str, name: &str, value: &str) -> Self {
            self.cookies.push(SampleCookie {
                host: host.into(),
                name: name.into(),
                value: value.into(),
                encrypted: true,
            });
            self
        }

        /// A cookie stored unencrypted in `value` (no encryption key available).
        pub fn plain_cookie(mut self, host: &str, name: &str, value: &str) -> Self {
            self.cookies.push(SampleCookie {
                host: host.into(),
                name: name.into(),
                value: value.into(),
                encrypted: false,
            });
            self
        }

        /// Google sign-in cookies in this profile.
        pub fn google_account(mut self) -> Self {
            self.cookies.extend(google_cookies());
            self
        }
    };
}

/// Builder of one Chromium-family profile. Nothing is written before
/// [`ChromiumProfile::write`].
#[derive(Debug, Clone)]
pub struct ChromiumProfile {
    home: Home,
    browser_id: String,
    dir: String,
    display_name: String,
    ls: Vec<(String, String, String)>,
    cookies: Vec<SampleCookie>,
    /// Write a `token_v2` sign-in cookie unless one is planted.
    sign_in: bool,
    sync: bool,
    singleton_lock: Option<u32>,
    network_cookies: bool,
    ls_layout: LsLayout,
}

impl ChromiumProfile {
    /// Chromium encrypts cookie values.
    const SEALS_VALUES: bool = true;
    chromium_store_methods!();

    /// Browser sync on (signed in, sync set up and consented).
    pub fn sync(mut self, on: bool) -> Self {
        self.sync = on;
        self
    }

    /// A `SingletonLock` in the user data folder naming this host and `pid`.
    pub fn singleton_lock(mut self, pid: u32) -> Self {
        self.singleton_lock = Some(pid);
        self
    }

    /// Cookies at `Network/Cookies` (default on Windows) or `Cookies`.
    pub fn network_cookies(mut self, on: bool) -> Self {
        self.network_cookies = on;
        self
    }

    /// Compact Local Storage into a table file (default: data stays in the log).
    pub fn compact(mut self, on: bool) -> Self {
        self.ls_layout.compact = on;
        self
    }

    /// Write Local Storage in batches of `n` entries (several log records,
    /// as several page loads); default: one batch.
    pub fn batch(mut self, n: usize) -> Self {
        self.ls_layout.batch = n;
        self
    }

    /// `n` filler keys of `len` characters on `origin`, as a site that keeps
    /// a lot in Local Storage: takes the store past one 32 KiB log block
    /// and the 8 KiB mark where the old reader broke.
    pub fn filler(mut self, origin: &str, n: usize, len: usize) -> Self {
        for i in 0..n {
            let v: String = (0..len)
                .map(|j| char::from(b'a' + ((i * 7 + j) % 26) as u8))
                .collect();
            self.ls.push((origin.into(), format!("filler-{i:05}"), v));
        }
        self
    }

    /// The browser's user data folder in this home.
    pub fn user_data_dir(&self) -> io::Result<PathBuf> {
        let b = Browser::by_id(&self.browser_id)
            .filter(|b| b.family == Family::Chromium)
            .ok_or_else(|| {
                io::Error::other(format!("unknown Chromium browser {}", self.browser_id))
            })?;
        b.roots(&self.home)
            .into_iter()
            .next()
            .ok_or_else(|| io::Error::other("no folder for this layout"))
    }

    /// Write everything; returns the profile folder.
    pub fn write(self) -> io::Result<PathBuf> {
        let udd = self.user_data_dir()?;
        let profile = udd.join(&self.dir);
        std::fs::create_dir_all(&profile)?;

        let ls_path = udd.join("Local State");
        let mut state = read_json(&ls_path);
        state["profile"]["info_cache"][&self.dir] = json!({
            "name": self.display_name,
            "is_using_default_name": false,
            "active_time": 1_700_000_000.0,
            "user_name": if self.sync { "person@example.com" } else { "" },
        });
        state["profile"]["last_used"] = json!(self.dir);
        write_json(&ls_path, &state)?;

        let mut prefs = json!({
            "profile": { "name": self.display_name, "exit_type": "Normal" },
            "sync": { "has_setup_completed": self.sync },
            "google": { "services": { "consented_to_sync": self.sync } },
        });
        prefs["account_info"] = if self.sync {
            json!([{ "account_id": "108000000000000000001", "email": "person@example.com", "gaia": "108000000000000000001", "full_name": "Sample Person" }])
        } else {
            json!([])
        };
        write_json(&profile.join("Preferences"), &prefs)?;

        if !self.ls.is_empty() {
            write_chromium_ls(
                &profile.join("Local Storage/leveldb"),
                &self.ls,
                self.ls_layout,
            )?;
        }
        let cookies_path = if self.network_cookies {
            profile.join("Network/Cookies")
        } else {
            profile.join("Cookies")
        };
        write_chromium_cookies(&cookies_path, &self.cookies_to_write())?;
        if let Some(pid) = self.singleton_lock {
            symlink(&format!("{}-{pid}", hostname()), &udd.join("SingletonLock"))?;
        }
        Ok(profile)
    }
}

/// Builder of one Firefox profile.
#[derive(Debug, Clone)]
pub struct FirefoxProfile {
    home: Home,
    dir: String,
    display_name: String,
    ls: Vec<(String, String, String)>,
    cookies: Vec<SampleCookie>,
    /// Write a `token_v2` sign-in cookie unless one is planted.
    sign_in: bool,
    sync: bool,
    cookies_in_wal: bool,
    lock_pid: Option<u32>,
    xdg: bool,
    in_profiles_ini: bool,
}

impl FirefoxProfile {
    /// Firefox keeps cookie values in clear.
    const SEALS_VALUES: bool = false;
    local_storage_methods!();

    /// A cookie (Firefox stores values in clear).
    pub fn cookie(mut self, host: &str, name: &str, value: &str) -> Self {
        self.cookies.push(SampleCookie {
            host: host.into(),
            name: name.into(),
            value: value.into(),
            encrypted: false,
        });
        self
    }

    pub fn google_account(mut self) -> Self {
        self.cookies
            .extend(google_cookies().into_iter().map(|mut c| {
                c.encrypted = false;
                c
            }));
        self
    }

    /// Firefox Sync on: `services.sync.username` in `prefs.js` and `signedInUser.json`.
    pub fn sync(mut self, on: bool) -> Self {
        self.sync = on;
        self
    }

    /// Leave the cookies only in `cookies.sqlite-wal`.
    pub fn cookies_in_wal(mut self, on: bool) -> Self {
        self.cookies_in_wal = on;
        self
    }

    /// `lock` (symlink to `127.0.0.1:+PID`) and `.parentlock`, as Firefox leaves them.
    pub fn lock(mut self, pid: u32) -> Self {
        self.lock_pid = Some(pid);
        self
    }

    /// On Linux, use `~/.config/mozilla/firefox` instead of `~/.mozilla/firefox`.
    pub fn xdg(mut self, on: bool) -> Self {
        self.xdg = on;
        self
    }

    /// List the profile only in `installs.ini`, not in `profiles.ini`.
    pub fn only_in_installs_ini(mut self) -> Self {
        self.in_profiles_ini = false;
        self
    }

    /// The folder holding `profiles.ini`.
    pub fn firefox_root(&self) -> PathBuf {
        let roots = Browser::by_id("firefox")
            .map(|b| b.roots(&self.home))
            .unwrap_or_default();
        let idx = usize::from(self.xdg && self.home.layout == Layout::Linux);
        roots
            .get(idx)
            .cloned()
            .unwrap_or_else(|| self.home.root.join(".mozilla/firefox"))
    }

    /// Write everything; returns the profile folder.
    pub fn write(self) -> io::Result<PathBuf> {
        let root = self.firefox_root();
        let rel = if self.home.layout == Layout::Linux {
            self.dir.clone()
        } else {
            format!("Profiles/{}", self.dir)
        };
        let profile = root.join(&rel);
        std::fs::create_dir_all(&profile)?;

        let ini = root.join("profiles.ini");
        let mut text = std::fs::read_to_string(&ini).unwrap_or_default();
        if text.is_empty() {
            text.push_str("[General]\nStartWithLastProfile=1\nVersion=2\n");
        }
        if self.in_profiles_ini {
            let n = text.matches("[Profile").count();
            let default = if n == 0 { "Default=1\n" } else { "" };
            text.push_str(&format!(
                "\n[Profile{n}]\nName={}\nIsRelative=1\nPath={rel}\n{default}",
                self.display_name
            ));
        }
        std::fs::write(&ini, text)?;
        let installs = root.join("installs.ini");
        if !installs.exists() || !self.in_profiles_ini {
            let mut t = std::fs::read_to_string(&installs).unwrap_or_default();
            let n = t.matches("\n[").count() + usize::from(t.starts_with('['));
            t.push_str(&format!(
                "[{:016X}]\nDefault={rel}\nLocked=1\n\n",
                0x3080_46B0_AF4A_39CBu64 + n as u64
            ));
            std::fs::write(&installs, t)?;
        }

        let mut prefs = String::from(
            "// Mozilla User Preferences\n\nuser_pref(\"browser.startup.homepage_override.mstone\", \"128.0\");\n",
        );
        if self.sync {
            prefs.push_str("user_pref(\"services.sync.username\", \"person@example.com\");\n");
            write_json(
                &profile.join("signedInUser.json"),
                &json!({"version": 1, "accountData": {"email": "person@example.com", "uid": "0123456789abcdef0123456789abcdef", "verified": true}}),
            )?;
        }
        std::fs::write(profile.join("prefs.js"), prefs)?;

        let mut origins: Vec<&str> = self.ls.iter().map(|(o, _, _)| o.as_str()).collect();
        origins.sort();
        origins.dedup();
        for origin in origins {
            let entries: Vec<(String, String)> = self
                .ls
                .iter()
                .filter(|(o, _, _)| o == origin)
                .map(|(_, k, v)| (k.clone(), v.clone()))
                .collect();
            let db = profile
                .join("storage/default")
                .join(firefox_origin_dir(origin))
                .join("ls/data.sqlite");
            write_lsng(&db, origin, &entries)?;
        }
        write_moz_cookies(
            &profile.join("cookies.sqlite"),
            &self.cookies_to_write(),
            self.cookies_in_wal,
        )?;
        if let Some(pid) = self.lock_pid {
            symlink(&format!("127.0.0.1:+{pid}"), &profile.join("lock"))?;
            std::fs::write(profile.join(".parentlock"), b"")?;
        }
        Ok(profile)
    }
}

/// Builder of the Notion desktop app's data folder.
#[derive(Debug, Clone)]
pub struct DesktopApp {
    home: Home,
    folder: String,
    partition: String,
    ls: Vec<(String, String, String)>,
    cookies: Vec<SampleCookie>,
    /// Write a `token_v2` sign-in cookie unless one is planted.
    sign_in: bool,
    singleton_lock: Option<u32>,
}

impl DesktopApp {
    /// The session partition under the data folder (default `Partitions/notion`).
    pub fn partition(mut self, partition: &str) -> Self {
        self.partition = partition.into();
        self
    }

    chromium_store_methods!();

    /// Electron keeps the app's cookie values in clear (`value` set,
    /// `encrypted_value` empty), as the real desktop data folders show.
    const SEALS_VALUES: bool = false;

    pub fn singleton_lock(mut self, pid: u32) -> Self {
        self.singleton_lock = Some(pid);
        self
    }

    /// The app's data folder.
    pub fn data_dir(&self) -> PathBuf {
        self.home.roaming_app_data().join(&self.folder)
    }

    /// Write everything; returns the data folder.
    pub fn write(self) -> io::Result<PathBuf> {
        let data = self.data_dir();
        let part = if self.partition.is_empty() {
            data.clone()
        } else {
            data.join(&self.partition)
        };
        std::fs::create_dir_all(&part)?;
        write_json(
            &data.join("Preferences"),
            &json!({"spellcheck": {"dictionaries": ["en-US"]}}),
        )?;
        write_json(
            &data.join("state.json"),
            &json!({"appState": {"isFirstLaunch": false}}),
        )?;
        if !self.ls.is_empty() {
            write_chromium_ls(
                &part.join("Local Storage/leveldb"),
                &self.ls,
                LsLayout::default(),
            )?;
        }
        write_chromium_cookies(&part.join("Cookies"), &self.cookies_to_write())?;
        if let Some(pid) = self.singleton_lock {
            symlink(
                &format!("{}-{pid}", hostname()),
                &data.join("SingletonLock"),
            )?;
        }
        Ok(data)
    }
}

/// A large home for benchmarks (Linux layout, Chrome): `profiles` profiles,
/// each with `cookies_per_profile` cookies (other sites, but for every
/// 100th of the first 1,000 on Notion's hosts: ten, about what a signed-in
/// profile holds, `token_v2`, `notion_user_id` and `notion_users` among
/// them, however many other cookies there are) and `ls_keys_per_profile`
/// Local Storage keys spread over other origins, around Notion's data in
/// the real shape ([`notion`]): one account per profile with two
/// workspaces (the pair families), 40 of its `LocalPreferenceStore3`
/// keys, the envelopes, `spaceIdToShortId` and the identity origin's key.
/// Bulk writes, one transaction per cookie database.
///
/// Local Storage comes in both of Chromium's shapes, alternating by profile:
/// `Default` and every even profile are compacted into tables; every odd
/// profile keeps everything in its `.log`, as a profile whose last
/// compaction was a while ago, with values long enough to make the log
/// Chromium-size (about 2.4 MB for 10,000 keys; Chromium compacts at about
/// 4 MB, and so does the writer, so past about 18,000 keys part of it is a
/// level-0 table), written in batches of 1,000 entries (one
/// log record each, several page loads). In the log profiles
/// `spaceIdToShortId` is written first with older short ids and rewritten
/// in the last batch, so a reader must order versions to get the short ids
/// (the workspaces' labels) right.
pub fn bench_home(
    root: &Path,
    profiles: usize,
    cookies_per_profile: usize,
    ls_keys_per_profile: usize,
) -> io::Result<Home> {
    use notion::{NotionLocalStorage, notion_users, sample_id};
    let h = SampleHome::new(root, Layout::Linux);
    let udd = h.home().local_app_data().join("google-chrome");
    let mut state = json!({"profile": {"info_cache": {}}});
    // Padding of the log profiles' values: 160 characters, less when many
    // keys would take the writer's memtable past its 4 MB flush point (it
    // counts about 211 bytes per entry besides the padding). From about
    // 18,000 keys on even no padding fits, and part of the log is flushed
    // into a level-0 table, as Chromium would.
    let log_pad = (3_900_000 / ls_keys_per_profile.max(1))
        .saturating_sub(211)
        .min(160);
    for p in 0..profiles {
        let dir = if p == 0 {
            "Default".to_string()
        } else {
            format!("Profile {p}")
        };
        let profile = udd.join(&dir);
        std::fs::create_dir_all(&profile)?;
        state["profile"]["info_cache"][&dir] = json!({"name": format!("Person {}", p + 1)});
        write_json(
            &profile.join("Preferences"),
            &json!({"account_info": [], "sync": {"has_setup_completed": false}}),
        )?;
        let user = sample_id(0x0a, p);
        let spaces = [sample_id(0x05, 2 * p), sample_id(0x05, 2 * p + 1)];
        let app_cookies = [
            (
                "token_v2",
                "v02%3Auser_token_or_cookies%3Asample".to_string(),
            ),
            ("notion_user_id", user.clone()),
            ("notion_users", notion_users(&[&user])),
        ];
        let mut cookies = Vec::with_capacity(cookies_per_profile);
        for c in 0..cookies_per_profile {
            let (host, name, value) = if c % 100 == 0 && c < 1000 {
                match app_cookies.get(c / 100) {
                    Some((n, v)) => (".www.notion.so".to_string(), n.to_string(), v.clone()),
                    None => (".notion.so".to_string(), format!("c{c}"), format!("v{c}")),
                }
            } else {
                (
                    format!(".site{}.example", c % 997),
                    format!("c{c}"),
                    format!("v{c}"),
                )
            };
            cookies.push(SampleCookie {
                host,
                name,
                value,
                encrypted: true,
            });
        }
        write_chromium_cookies(&profile.join("Cookies"), &cookies)?;
        let in_log = p % 2 == 1;
        let pad = if in_log { log_pad } else { 0 };
        let short = |old: bool| -> Vec<(String, String)> {
            spaces
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let n = 1_000_000 * (p + 1) + 10 * i + usize::from(!old);
                    (s.clone(), n.to_string())
                })
                .collect()
        };
        let mut ls: Vec<(String, String, String)> = Vec::with_capacity(ls_keys_per_profile + 64);
        if in_log {
            ls = ls.short_ids(NOTION_WWW, &short(true));
        }
        ls = ls
            .identity_user(&user)
            .envelope(NOTION_WWW, "current-user-id", json!(user))
            .last_visited(NOTION_WWW, &user, &spaces[0])
            .workspace_of(NOTION_WWW, &user, &spaces[0])
            .workspace_of(NOTION_WWW, &user, &spaces[1]);
        for k in 0..40 {
            ls.push((
                NOTION_WWW.to_string(),
                format!("LRU:LocalPreferenceStore3:{user}:pref{k:02}"),
                format!("{{\"id\":\"LocalPreferenceStore3:{user}:pref{k:02}\",\"value\":{k}}}"),
            ));
        }
        for k in 0..ls_keys_per_profile {
            ls.push((
                format!("https://site{}.example", k % 211),
                format!("key-{k}"),
                format!("value-{k}-{}", "x".repeat(pad + k % 64)),
            ));
        }
        ls = ls.short_ids(NOTION_WWW, &short(false));
        let layout = if in_log {
            LsLayout {
                compact: false,
                batch: 1000,
            }
        } else {
            LsLayout {
                compact: true,
                batch: 0,
            }
        };
        write_chromium_ls(&profile.join("Local Storage/leveldb"), &ls, layout)?;
    }
    write_json(&udd.join("Local State"), &state)?;
    Ok(h.home())
}
