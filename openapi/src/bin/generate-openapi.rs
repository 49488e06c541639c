//! Writes the merged document to openapi/openapi.json and the events' contract to
//! openapi/events.json (or checks both with `--check`).

fn main() -> std::process::ExitCode {
    let files = [
        (openapi::committed_path(), openapi::merged_json()),
        (openapi::committed_events_path(), openapi::events_json()),
    ];
    let check = std::env::args().any(|a| a == "--check");
    let mut ok = true;
    for (path, generated) in files {
        if check {
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            if committed == generated {
                println!("{} is up to date", path.display());
            } else {
                eprintln!(
                    "{} differs from the code; run: cargo run -p openapi --bin generate-openapi",
                    path.display()
                );
                ok = false;
            }
            continue;
        }
        match std::fs::write(&path, generated) {
            Ok(()) => println!("wrote {}", path.display()),
            Err(e) => {
                eprintln!("cannot write {}: {e}", path.display());
                ok = false;
            }
        }
    }
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
