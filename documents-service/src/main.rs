#[global_allocator]
static ALLOCATOR: service_kit::alloc::Allocator = service_kit::alloc::Allocator;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    service_kit::server::run_main(
        documents_service::NAME,
        documents_service::Settings::from_env,
        documents_service::start,
    )
    .await
}
