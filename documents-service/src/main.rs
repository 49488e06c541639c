#[actix_web::main]
async fn main() -> std::process::ExitCode {
    service_kit::server::run_main(
        documents_service::NAME,
        documents_service::settings_from_env,
        |settings| async move {
            let config = documents_service::DocumentsConfig::from_env(&settings)
                .map_err(|e| service_kit::StartError::Other(e.to_string()))?;
            documents_service::start(settings, config).await
        },
    )
    .await
}
