//! `cargo run -p alliance-suite`: the whole suite on one machine with no setup.

use std::path::PathBuf;

use alliance_suite::{Suite, SuiteSettings};
use service_kit::config::data_dir;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    service_kit::telemetry::init();
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
    println!("  token:       curl -s {url}/api/v1/auth/token -H 'content-type: application/json' \\");
    println!("                 -d '{{\"grant_type\":\"password\",\"username\":\"admin\",\"password\":\"…\"}}'");
    println!("               then \"Authorize\" in Swagger UI with the access_token. Ctrl-C stops.");
    println!();
    match suite.wait().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("alliance-suite: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The bootstrap password is generated once; the local run keeps it in the data folder (0600)
/// so that it can be shown again on later starts.
fn admin_login(data: &std::path::Path, suite: &Suite) -> String {
    let file: PathBuf = data.join("bootstrap-admin.txt");
    if let Some(admin) = &suite.gateway.bootstrap
        && let Some(password) = &admin.generated_password
    {
        let _ = write_private(&file, &format!("{} {}\n", admin.username, password));
    }
    match std::fs::read_to_string(&file) {
        Ok(s) => match s.trim().split_once(' ') {
            Some((user, pass)) => format!("user {user}, password {pass}"),
            None => "see the gateway log".into(),
        },
        Err(_) => "user admin with the password set in GATEWAY_ADMIN_PASSWORD at first start".into(),
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
