//! Unit tests of the session model (`sessions.rs`, `accounts.rs`) on
//! entries in the real shape, with made-up ids.

use super::*;

const U1: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const U2: &str = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
const S1: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const S2: &str = "6fa459ea-ee8a-4ca4-894e-db77e160355e";

/// The spec of the built-in `notion-signout` flow.
fn notion() -> AppSpec {
    crate::probe::app_sessions::builtin_spec("notion-signout").unwrap()
}

fn item(key: &str, value: &str) -> LsItem {
    LsItem {
        origin: "https://www.notion.so".into(),
        key: key.into(),
        value: value.into(),
        store_path: "/s".into(),
        kind: StoreKind::ChromiumLeveldb,
    }
}

fn env(name: &str, value: &str) -> LsItem {
    item(
        &format!("LRU:KeyValueStore2:{name}"),
        &format!(
            r#"{{"id":"{name}","value":"{value}","timestamp":1700000000000,"important":true}}"#
        ),
    )
}

fn cookie(name: &str, value: Option<&str>) -> CookieRow {
    CookieRow {
        host: ".notion.so".into(),
        name: name.into(),
        value: value.map(str::to_string),
        unreadable: None,
    }
}

fn sealed(name: &str, why: &str) -> CookieRow {
    CookieRow {
        host: ".notion.so".into(),
        name: name.into(),
        value: None,
        unreadable: Some(why.into()),
    }
}

fn run(ls: &[LsItem], cookies: &[CookieRow]) -> StoreFacts {
    analyze(&notion(), ls, cookies, &StoreExtra::default())
}

fn keys_of_account(user: &str, spaces: &[&str]) -> Vec<LsItem> {
    let mut ls = vec![
        item(
            &format!("LRU:LocalPreferenceStore3:{user}:userSessionCount"),
            "{}",
        ),
        item("LRU:LocalPreferenceStore3:guest:forkPageTemplate", "{}"),
    ];
    for (i, sp) in spaces.iter().enumerate() {
        let key = match i % 3 {
            0 => format!("LRU:KeyValueStore2:onAppStartPreference:{user}:{sp}"),
            1 => format!("LRU:KeyValueStore2:searchFrecency:{sp}:{user}:0"),
            _ => format!("BlockFrecency:{user}:{sp}:version"),
        };
        ls.push(item(&key, "{}"));
    }
    ls
}

fn short_ids(spaces: &[(&str, &str)]) -> LsItem {
    let map: serde_json::Map<String, Value> = spaces
        .iter()
        .map(|(s, n)| ((*s).to_string(), Value::from(*n)))
        .collect();
    item(
        "LRU:KeyValueStore2:spaceIdToShortId",
        &serde_json::json!({"id": "x", "value": map, "timestamp": 1}).to_string(),
    )
}

const S3: &str = "9b2c1f04-5d6e-4f70-8a91-b2c3d4e5f601";

#[test]
fn one_account_with_three_workspaces_from_the_pair_families() {
    let mut ls = keys_of_account(U1, &[S1, S2, S3]);
    ls.push(env("lastVisitedRouteUserId", U1));
    ls.push(env("lastVisitedRouteSpaceId", S1));
    ls.push(short_ids(&[(S1, "111"), (S2, "222"), (S3, "333")]));
    // Encrypted on macOS: the names are there, the values are not.
    let f = run(
        &ls,
        &[
            cookie("token_v2", None),
            sealed(
                "notion_users",
                "encrypted with a key from the macOS Keychain",
            ),
        ],
    );
    assert_eq!(f.accounts, Some(1), "{:#?}", f.account_facts);
    assert_eq!(f.account_facts.signed_in, Some(true));
    assert_eq!(f.account_facts.sign_in_cookies, vec!["token_v2"]);
    let ws: Vec<_> = f.sessions.iter().map(|s| s.workspace_id.as_str()).collect();
    assert_eq!(ws, vec![S1, S2, S3]);
    assert!(f.sessions.iter().all(|s| s.user_id.as_deref() == Some(U1)));
    let a = &f.account_facts.account_sessions;
    assert_eq!(a.len(), 1);
    let labels: Vec<_> = a[0].workspaces.iter().map(|w| w.label.as_str()).collect();
    assert_eq!(
        labels,
        vec!["workspace 111", "workspace 222", "workspace 333"]
    );
    assert_eq!(a[0].label, "account 0f8fad5b");
    assert!(
        f.account_facts.accounts_evidence.starts_with(
            "1 account: a sign-in cookie (token_v2) and exactly one account ever seen here"
        ),
        "{}",
        f.account_facts.accounts_evidence
    );
    assert!(f.account_facts.account_candidates.is_empty());
}

#[test]
fn two_accounts_behind_a_sealed_list_are_unknown_not_one_or_three() {
    let mut ls = keys_of_account(U1, &[S1]);
    ls.extend(keys_of_account(U2, &[S2]));
    ls.push(env("current-user-id", U1));
    ls.push(env("lastVisitedRouteUserId", U1));
    ls.push(env("lastVisitedRouteSpaceId", S1));
    let sealed_list = sealed("notion_users", "encrypted with a key from Windows DPAPI");
    let f = run(&ls, &[cookie("token_v2", None), sealed_list]);
    assert_eq!(f.accounts, None);
    assert!(
        f.account_facts
            .accounts_reason
            .as_deref()
            .unwrap()
            .contains("the notion_users cookie, which lists every signed-in account, is encrypted")
    );
    let cands: Vec<_> = f
        .account_facts
        .account_candidates
        .iter()
        .map(|c| c.user_id.as_str())
        .collect();
    assert_eq!(cands, vec![U1, U2]);
    assert_eq!(f.sessions.len(), 2);
    assert!(f.sessions.iter().all(|s| s.user_id.is_some()));
    // Read on Linux, the list is the whole truth.
    let users = "%5B%22".to_string() + U1 + "%22%2C%22" + U2 + "%22%5D";
    let f = run(
        &ls,
        &[
            cookie("token_v2", None),
            cookie("notion_users", Some(&users)),
        ],
    );
    assert_eq!(f.accounts, Some(2));
    assert!(f.account_facts.account_candidates.is_empty());
    let active: Vec<_> = f
        .account_facts
        .account_sessions
        .iter()
        .filter(|a| a.active)
        .map(|a| a.user_id.clone())
        .collect();
    assert_eq!(active, vec![Some(U1.to_string())]);
}

#[test]
fn signed_out_with_an_old_accounts_keys_is_zero() {
    let mut ls = keys_of_account(U1, &[S1, S2]);
    ls.push(env("current-user-id", U1));
    let f = run(&ls, &[cookie("notion_browser_id", None)]);
    assert_eq!(f.accounts, Some(0));
    assert_eq!(f.account_facts.signed_in, Some(false));
    assert!(f.sessions.is_empty());
    assert!(f.account_facts.account_sessions.is_empty());
    assert_eq!(f.account_facts.account_candidates.len(), 1);
    assert!(
        f.account_facts.accounts_evidence.starts_with(
            "no signed-in account: no sign-in cookie (token_v2); 1 account used this store before"
        ),
        "{}",
        f.account_facts.accounts_evidence
    );
}

#[test]
fn unreadable_cookies_are_unknown_not_zero() {
    let ls = keys_of_account(U1, &[S1]);
    let extra = StoreExtra {
        cookies_unreadable: Some("not an SQLite database".into()),
        ..StoreExtra::default()
    };
    let f = analyze(&notion(), &ls, &[], &extra);
    assert_eq!(f.accounts, None);
    assert_eq!(f.account_facts.signed_in, None);
    assert_eq!(
        f.account_facts.accounts_reason.as_deref(),
        Some("the cookies could not be read (not an SQLite database)")
    );
    assert_eq!(f.account_facts.account_candidates.len(), 1);
    assert_eq!(f.sessions.len(), 1, "the candidate can still be chosen");
}

#[test]
fn a_workspace_of_no_named_account_is_never_a_session() {
    let mut ls = keys_of_account(U1, &[S1]);
    ls.extend(keys_of_account(U2, &[S2]));
    ls.push(short_ids(&[(S1, "1"), (S2, "2"), (S3, "3")]));
    let users = "%5B%22".to_string() + U1 + "%22%2C%22" + U2 + "%22%5D";
    let f = run(
        &ls,
        &[
            cookie("token_v2", None),
            cookie("notion_users", Some(&users)),
        ],
    );
    assert_eq!(f.accounts, Some(2));
    assert_eq!(f.sessions.len(), 2);
    let a = &f.account_facts.account_sessions;
    assert_eq!(a.len(), 3);
    assert_eq!(a[2].user_id, None);
    assert_eq!(a[2].label, "account not known");
    assert_eq!(a[2].workspaces[0].workspace_id, S3);
    // The known ones took their short ids from the map.
    assert_eq!(a[0].workspaces[0].short_id.as_deref(), Some("1"));
}

#[test]
fn signed_in_with_nothing_naming_the_account() {
    let f = run(&[], &[cookie("token_v2", None)]);
    assert_eq!(f.accounts, None);
    assert!(
        f.account_facts
            .accounts_evidence
            .contains("the token_v2 cookie shows a signed-in session"),
        "{}",
        f.account_facts.accounts_evidence
    );
    assert!(f.sessions.is_empty(), "nothing to choose or remove");
}

#[test]
fn desktop_cache_names_accounts_and_workspaces() {
    let extra = StoreExtra {
        tabs: vec![(Some(U1.into()), Some(S1.into()))],
        tabs_source: "state.json tabs".into(),
        closed_tabs: vec![(Some(U2.into()), Some(S3.into()))],
        closed_source: "state.json closed tabs".into(),
        db_accounts: vec![U1.into(), U2.into()],
        db_accounts_source: "notion.db user_root".into(),
        memberships: vec![(U1.into(), S2.into()), (U2.into(), S3.into())],
        memberships_source: "notion.db space_user".into(),
        people: [(U1.to_string(), (Some("ada@example.com".to_string()), None))]
            .into_iter()
            .collect(),
        space_names: [(S1.to_string(), "Acme".to_string())].into_iter().collect(),
        names_source: "notion.db space names".into(),
        default_store: Some(DefaultStore {
            origin: "https://www.notion.so".into(),
            store_path: "/p".into(),
            kind: StoreKind::ChromiumLeveldb,
        }),
        ..StoreExtra::default()
    };
    let users = format!("[\"{U1}\",\"{U2}\"]");
    let f = analyze(
        &notion(),
        &[],
        &[
            cookie("token_v2", None),
            cookie("notion_users", Some(&users)),
        ],
        &extra,
    );
    assert_eq!(f.accounts, Some(2));
    assert_eq!(f.sessions.len(), 3);
    let a = &f.account_facts.account_sessions;
    assert_eq!(a[0].label, "ada@example.com");
    assert_eq!(a[1].label, "account 1b4e28ba");
    let w: Vec<_> = a[0].workspaces.iter().map(|w| w.label.as_str()).collect();
    assert_eq!(w, vec!["Acme", "workspace 6fa459ea"]);
    assert!(f.sessions.iter().all(|s| s.keys.is_empty()));
}

#[test]
fn cookie_ids_must_look_like_ids() {
    let v =
        "%5B%22u-1%22%2C%22v02%3Auser_token_or_cookies%3Aabc%22%2C%7B%22id%22%3A%22u-2%22%7D%5D";
    assert_eq!(
        user_ids_from_cookie(v, UserCookieFormat::UrlencodedJsonList),
        vec!["u-1", "u-2"]
    );
    assert_eq!(
        user_ids_from_cookie("0F8FAD5BD9CB469FA16570867728950E", UserCookieFormat::Plain),
        vec![U1]
    );
}

#[test]
fn percent_decoding() {
    assert_eq!(percent_decode("%5B%22a%22%5D"), "[\"a\"]");
    assert_eq!(percent_decode("100%"), "100%");
    assert_eq!(percent_decode("%E6%9D%B1"), "東");
}

#[test]
fn a_visited_workspace_goes_with_its_sibling_account_envelope() {
    // Two accounts; the route names a workspace but not its account: the
    // current account's envelope is its sibling.
    let mut ls = keys_of_account(U1, &[S1]);
    ls.extend(keys_of_account(U2, &[S2]));
    ls.push(env("current-user-id", U2));
    ls.push(env("lastVisitedRouteSpaceId", S3));
    let users = "%5B%22".to_string() + U1 + "%22%2C%22" + U2 + "%22%5D";
    let f = run(
        &ls,
        &[
            cookie("token_v2", None),
            cookie("notion_users", Some(&users)),
        ],
    );
    let s3 = f.sessions.iter().find(|s| s.workspace_id == S3).unwrap();
    assert_eq!(s3.user_id.as_deref(), Some(U2));
    assert_eq!(s3.keys, vec!["LRU:KeyValueStore2:lastVisitedRouteSpaceId"]);
    assert!(
        f.account_facts
            .account_sessions
            .iter()
            .all(|a| a.user_id.is_some()),
        "no workspace is left to \"account not known\""
    );
}
