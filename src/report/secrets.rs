//! The secret check: secrets (cookie values, tokens) never enter a run
//! record, and [`check_no_secrets`] is the last line of defence, run before
//! every save and export. It fails, naming the JSON path but never the
//! value, when the record holds anything that looks like one.

use serde_json::Value;

use super::ReportError;

/// Keys whose value is always a secret.
const SECRET_KEYS: &[&str] = &[
    "token_v2",
    "encrypted_value",
    "cookie_value",
    "cookie_values",
    "password",
    "access_token",
    "refresh_token",
    "session_token",
    "authorization",
];

/// Cookie names whose value is a credential; `NAME=value` in any string fails.
const SECRET_COOKIES: &[&str] = &[
    "token_v2",
    "file_token",
    "__Secure-1PSID",
    "__Secure-3PSID",
    "ESTSAUTH",
    "MSPAuth",
];

/// Fails when `record` (as JSON) holds something that looks like a secret.
/// Secrets are kept out of records by the probes; this is the defensive check
/// run before every export and save. It rejects:
/// - a key from [`SECRET_KEYS`] (`token_v2`, `encrypted_value`, `password`…)
///   with a non-empty value;
/// - a cookie object carrying its value: an object with a `value` key that
///   also has `host`, `host_key`, `domain` or `cookie`, or any object with a
///   `value` key inside something keyed `*cookie*`;
/// - a string holding `NAME=value` for a credential cookie (`token_v2=…`).
///
/// The error names the JSON path (`/facts/scan/...`), never the value.
pub fn check_no_secrets(record: &Value) -> Result<(), ReportError> {
    walk_secrets(record, "", false)
}

fn walk_secrets(v: &Value, path: &str, in_cookies: bool) -> Result<(), ReportError> {
    let found = |p: &str, what: &str| ReportError::Secret {
        path: if p.is_empty() {
            "/".into()
        } else {
            p.to_string()
        },
        what: what.to_string(),
    };
    match v {
        Value::String(s) => {
            for name in SECRET_COOKIES {
                let pat = format!("{name}=");
                let mut rest = s.as_str();
                while let Some(at) = rest.find(&pat) {
                    let after = &rest[at + pat.len()..];
                    if after
                        .chars()
                        .next()
                        .is_some_and(|c| !c.is_whitespace() && !";,\"'".contains(c))
                    {
                        return Err(found(path, &format!("a `{name}` cookie value")));
                    }
                    rest = after;
                }
            }
            Ok(())
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk_secrets(x, &format!("{path}/{i}"), in_cookies)?;
            }
            Ok(())
        }
        Value::Object(m) => {
            let non_empty =
                |x: &Value| !matches!(x, Value::Null) && x.as_str().is_none_or(|s| !s.is_empty());
            for (k, val) in m {
                let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                let lower = k.to_ascii_lowercase();
                if SECRET_KEYS.contains(&lower.as_str()) && non_empty(val) {
                    return Err(found(&p, &format!("a `{k}` field")));
                }
            }
            let cookie_like = ["host", "host_key", "domain", "cookie"]
                .iter()
                .any(|k| m.contains_key(*k));
            if let Some(val) = m.get("value")
                && (cookie_like || in_cookies)
                && non_empty(val)
            {
                return Err(found(&format!("{path}/value"), "a cookie value"));
            }
            for (k, val) in m {
                let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                let cookies = in_cookies || k.to_ascii_lowercase().contains("cookie");
                walk_secrets(val, &p, cookies)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_check_names_the_path_not_the_value() {
        let v =
            serde_json::json!({"facts": {"cookies": [{"name": "token_v2", "value": "s3cr3t"}]}});
        let e = check_no_secrets(&v).unwrap_err().to_string();
        assert!(e.contains("/facts/cookies/0/value"), "{e}");
        assert!(!e.contains("s3cr3t"));
        let v = serde_json::json!({"x": "Cookie: token_v2=abc; notion_user_id=1"});
        assert!(check_no_secrets(&v).is_err());
        // Names of cookies are fine.
        let v = serde_json::json!({"app_cookies": ["token_v2", "notion_user_id"], "plan": "delete token_v2= cookie"});
        assert!(check_no_secrets(&v).is_ok());
        // Non-cookie `value` fields (Local Storage JSON) are fine.
        let v = serde_json::json!({"entry": {"id": "x", "value": "y"}});
        assert!(check_no_secrets(&v).is_ok());
    }
}
