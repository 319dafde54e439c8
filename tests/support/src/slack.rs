//! Slack's stores in the shape real ones have (seen in real desktop
//! folders: Local Storage of `https://app.slack.com` holds `localConfig_v2`,
//! a JSON object whose `teams` are keyed by team id, each with `id`,
//! `name`, `domain`, `url`, `token` and `user_id`; ended sessions move to
//! `prevTeams` without a token; the `.slack.com` cookie `d` is the sign-in),
//! with made-up ids, names and credentials only.

use serde_json::{Map, Value, json};

use crate::SampleHome;

/// The origin Slack's web app and desktop app keep Local Storage under.
pub const ORIGIN: &str = "https://app.slack.com";
/// The Local Storage key listing the signed-in workspaces.
pub const CONFIG_KEY: &str = "localConfig_v2";
/// The host of Slack's cookies.
pub const COOKIE_HOST: &str = ".slack.com";

/// A made-up workspace: team id, name, user id.
#[derive(Debug, Clone, Copy)]
pub struct Team {
    pub id: &'static str,
    pub name: &'static str,
    pub user: &'static str,
}

/// The made-up workspace token of `team` (what a test must never see printed).
pub fn token(team: &Team) -> String {
    format!("xoxc-madeup-{}-{}", team.id, team.user)
}

/// The made-up value of the `d` cookie of a store.
pub const D_COOKIE: &str = "xoxd-madeup-credential";

fn team_value(t: &Team, signed_in: bool) -> Value {
    let domain = t.name.to_lowercase().replace(' ', "-");
    let mut v = json!({
        "id": t.id,
        "name": t.name,
        "domain": domain,
        "url": format!("https://{domain}.slack.com/"),
        "user_id": t.user,
        "icon": {"image_34": "https://example.invalid/icon.png"},
        "user_locale": "en-US",
    });
    if signed_in {
        v["token"] = json!(token(t));
    } else {
        v["isExpired"] = json!(true);
    }
    v
}

/// The `localConfig_v2` value: `signed_in` teams (with tokens), `prev`
/// teams (signed out, no token), the active team.
pub fn local_config(signed_in: &[Team], prev: &[Team], active: &str) -> String {
    let teams: Map<String, Value> = signed_in
        .iter()
        .map(|t| (t.id.to_string(), team_value(t, true)))
        .collect();
    let prev_teams: Map<String, Value> = prev
        .iter()
        .map(|t| (t.id.to_string(), team_value(t, false)))
        .collect();
    json!({
        "teams": teams,
        "prevTeams": prev_teams,
        "orderedTeamIds": signed_in.iter().chain(prev).map(|t| t.id).collect::<Vec<_>>(),
        "pendingAuthTeams": {},
        "lastActiveTeamId": active,
        "lastFetched": 1_700_000_000_000u64,
        "minLastFetched": 1_700_000_000_000u64,
    })
    .to_string()
}

/// Keys that name workspaces but are no sign-in (they stay after sign-out).
fn leftovers(teams: &[Team]) -> Vec<(String, String)> {
    teams
        .iter()
        .flat_map(|t| {
            [
                (format!("activitySession_{}", t.id), "{}".to_string()),
                (
                    format!("persist-v1::{}::{}::prefs", t.id, t.user),
                    "{\"v\":1}".to_string(),
                ),
            ]
        })
        .collect()
}

/// The cookies a signed-in Slack store holds on `.slack.com` (`d` the sign-in).
pub fn cookies() -> Vec<(&'static str, &'static str)> {
    vec![
        ("b", "madeup-b"),
        ("d", D_COOKIE),
        ("d-s", "1700000000"),
        ("lc", "1700000000"),
        ("x", "madeup-x"),
    ]
}

/// Slack's desktop app data folder (`Slack` under the roaming app-data
/// folder: Local Storage and `Cookies` directly in it) with `signed_in`
/// and `prev` teams; returns the data folder.
pub fn desktop(
    home: &SampleHome,
    signed_in: &[Team],
    prev: &[Team],
    active: &str,
) -> std::io::Result<std::path::PathBuf> {
    let mut app = home.desktop_app("Slack").partition("").ls_key(
        ORIGIN,
        CONFIG_KEY,
        &local_config(signed_in, prev, active),
    );
    for (k, v) in leftovers(&[signed_in, prev].concat()) {
        app = app.ls_key(ORIGIN, &k, &v);
    }
    for (name, value) in cookies() {
        app = app.cookie(COOKIE_HOST, name, value);
    }
    app = app.cookie(".example.com", "other", "other-site");
    app.write()
}

/// Slack in a browser profile; returns the profile folder.
pub fn browser_profile(
    home: &SampleHome,
    browser: &str,
    dir: &str,
    name: &str,
    signed_in: &[Team],
    active: &str,
) -> std::io::Result<std::path::PathBuf> {
    let mut p = home.chromium_profile(browser, dir, name).ls_key(
        ORIGIN,
        CONFIG_KEY,
        &local_config(signed_in, &[], active),
    );
    for (k, v) in leftovers(signed_in) {
        p = p.ls_key(ORIGIN, &k, &v);
    }
    for (n, v) in cookies() {
        p = p.cookie(COOKIE_HOST, n, v);
    }
    p = p.ls_key("https://example.com", "keep", "me");
    p.write()
}
