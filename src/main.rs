//! Thin entry point: everything lives in the library.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(troubleshoot::app::main())
}
