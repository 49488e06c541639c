//! Writes the merged document to openapi/openapi.json (or checks it with `--check`).

fn main() -> std::process::ExitCode {
    let path = openapi::committed_path();
    let generated = openapi::merged_json();
    if std::env::args().any(|a| a == "--check") {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == generated {
            println!("{} is up to date", path.display());
            return std::process::ExitCode::SUCCESS;
        }
        eprintln!(
            "{} differs from the code; run: cargo run -p openapi --bin generate-openapi",
            path.display()
        );
        return std::process::ExitCode::FAILURE;
    }
    match std::fs::write(&path, generated) {
        Ok(()) => {
            println!("wrote {}", path.display());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::ExitCode::FAILURE
        }
    }
}
