//! `cargo run -p alliance-suite`: the whole suite on one machine with no setup.

use std::path::PathBuf;

use alliance_suite::{Suite, SuiteSettings};
use service_kit::config::data_dir;

#[global_allocator]
static ALLOCATOR: service_kit::alloc::Allocator = service_kit::alloc::Allocator;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    service_kit::telemetry::init();
    service_kit::alloc::start_sweeper();
    let data = data_dir();
    // Every variable of the README's table, read as the four processes read them.
    let settings = match SuiteSettings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("alliance-suite: configuration: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let suite = match Suite::start(settings).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("alliance-suite: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let login = admin_login(&data, &suite);
    let url = suite.url();
    println!();
    println!(
        "  机械行业技工院校高水平专业建设联盟 — suite running (data in {})",
        data.display()
    );
    println!("  gateway:     {url}");
    println!("  Swagger UI:  {url}/swagger-ui/");
    println!("  OpenAPI:     {url}/api-docs/openapi.json");
    println!("  log in:      {login}");
    println!("               in Swagger UI: \"Authorize\", then this user name and password (登录).");
    println!("  token:       curl -s {url}/api/v1/auth/token -H 'content-type: application/json' \\");
    println!("                 -d '{{\"grant_type\":\"password\",\"username\":\"admin\",\"password\":\"…\"}}'");
    println!("               (other systems: `Authorization: Bearer <access_token>`). Ctrl-C stops.");
    println!();
    match suite.wait().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("alliance-suite: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The bootstrap password is generated once and printed only then; the local run keeps it in
/// the data folder (0600) until it is changed (the gateway then removes the file), so a later
/// start points to the file instead of printing the password again (issue 9, point 12).
fn admin_login(data: &std::path::Path, suite: &Suite) -> String {
    let file: PathBuf = data.join(gateway::BOOTSTRAP_FILE);
    if let Some(admin) = &suite.gateway.bootstrap
        && let Some(password) = &admin.generated_password
    {
        let kept = match write_private(&file, &format!("{} {}\n", admin.username, password)) {
            Ok(()) => format!("kept in {} until it is changed", file.display()),
            Err(e) => format!("not saved: {e}; note it now"),
        };
        return format!("user {}, password {password}   (generated now; {kept})", admin.username);
    }
    if file.exists() {
        format!("user admin, password in {} (generated at first start)", file.display())
    } else {
        "user admin with its current password (GATEWAY_ADMIN_PASSWORD at first start, or as changed since)".into()
    }
}

fn write_private(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    opts.open(path)?.write_all(content.as_bytes())
}
