//! Embeds the built-in flows listed in `flows/builtin.txt` (and their
//! `.tests.json`, and `.demo.json` when there is one), so adding an app's flow is data: a line there and its
//! files, no Rust naming the app.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let list = Path::new(&dir).join("flows/builtin.txt");
    println!("cargo:rerun-if-changed=flows/builtin.txt");
    let text = std::fs::read_to_string(&list)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", list.display()));
    let ids: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut flows = String::from("&[\n");
    let mut tests = String::from("&[\n");
    let mut demos = String::from("&[\n");
    for id in ids {
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "flows/builtin.txt: `{id}` is not a flow id"
        );
        for (out, file) in [
            (&mut flows, format!("flows/{id}.json")),
            (&mut tests, format!("flows/{id}.tests.json")),
        ] {
            assert!(
                Path::new(&dir).join(&file).is_file(),
                "flows/builtin.txt names `{id}`, but {file} is missing"
            );
            println!("cargo:rerun-if-changed={file}");
            let _ = writeln!(
                out,
                "    ({id:?}, {file:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{file}\"))),"
            );
        }
        // A demo sandbox described as data is optional.
        let demo = format!("flows/{id}.demo.json");
        println!("cargo:rerun-if-changed={demo}");
        if Path::new(&dir).join(&demo).is_file() {
            let _ = writeln!(
                demos,
                "    ({id:?}, {demo:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{demo}\"))),"
            );
        }
    }
    flows.push(']');
    demos.push(']');
    tests.push(']');
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    std::fs::write(Path::new(&out).join("builtin_flows.rs"), flows)
        .expect("write builtin_flows.rs");
    std::fs::write(Path::new(&out).join("builtin_tests.rs"), tests)
        .expect("write builtin_tests.rs");
    std::fs::write(Path::new(&out).join("builtin_demos.rs"), demos)
        .expect("write builtin_demos.rs");
}
