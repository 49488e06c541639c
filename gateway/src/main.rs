use service_kit::telemetry;

#[global_allocator]
static ALLOCATOR: service_kit::alloc::Allocator = service_kit::alloc::Allocator;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    telemetry::init();
    service_kit::alloc::start_sweeper();
    let settings = match gateway::GatewaySettings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gateway: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match gateway::start(settings).await {
        Ok(gw) => {
            if let Some(admin) = &gw.bootstrap {
                match &admin.generated_password {
                    Some(p) => println!(
                        "bootstrap admin created: user {} password {p} (shown once)",
                        admin.username
                    ),
                    None => println!("bootstrap admin created: user {}", admin.username),
                }
            }
            println!(
                "gateway on {}; Swagger UI at {}/swagger-ui/",
                gw.service.url(),
                gw.service.url()
            );
            match gw.service.wait().await {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("gateway: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("gateway: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
