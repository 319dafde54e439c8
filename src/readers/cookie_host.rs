//! Which cookies belong to a site: the one rule the cookie reader, the
//! session model and the cookie fixes apply.
//!
//! A cookie's host is on domain `d` when it is `d` or a subdomain of it,
//! ignoring ASCII case and leading dots: `notion.so`, `.notion.so`,
//! `www.notion.so` and `NOTION.SO` are on `notion.so`; `notnotion.so` and
//! `notion.so.evil.com` are not. An empty domain holds no host.

/// `host` is `domain` or one of its subdomains.
pub fn on_domain(host: &str, domain: &str) -> bool {
    on_domain_bytes(host.as_bytes(), domain.as_bytes())
}

/// `host` is on one of `domains` ([`on_domain`]).
pub fn on_any(host: &str, domains: &[String]) -> bool {
    domains.iter().any(|d| on_domain(host, d))
}

/// [`on_domain`] on the raw bytes of a host column.
pub fn on_domain_bytes(host: &[u8], domain: &[u8]) -> bool {
    let h = trim_dots(host);
    let d = trim_dots(domain);
    if d.is_empty() {
        return false;
    }
    h.eq_ignore_ascii_case(d)
        || (h.len() > d.len()
            && h[h.len() - d.len() - 1] == b'.'
            && h[h.len() - d.len()..].eq_ignore_ascii_case(d))
}

/// A domain as the rule compares it: leading dots gone, ASCII lowercase
/// (for SQL that must select the same hosts).
pub fn normalized(domain: &str) -> String {
    domain.trim_start_matches('.').to_ascii_lowercase()
}

fn trim_dots(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b == b'.').count();
    &s[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_domains_and_subdomains_only() {
        let d = vec!["notion.so".to_string()];
        for on in [
            "notion.so",
            ".notion.so",
            "www.notion.so",
            "NOTION.SO",
            "a.b.Notion.So",
        ] {
            assert!(on_any(on, &d), "{on}");
        }
        for off in ["notnotion.so", "notion.so.evil.com", "so", "", "notion.s"] {
            assert!(!on_any(off, &d), "{off}");
        }
        assert!(on_domain("www.notion.so", ".Notion.so"));
        assert!(!on_domain("", ""));
        assert!(!on_domain("x", "."));
        assert_eq!(normalized("..Notion.SO"), "notion.so");
    }
}
