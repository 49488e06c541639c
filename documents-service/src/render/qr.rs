//! The verification URL as a QR code, drawn as SVG for the template's `image("qr.svg")`.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code of `text` (error correction level M, with the standard quiet zone).
/// The template sets the printed size; the SVG's own size only fixes the aspect ratio.
pub fn qr_svg(text: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(4, 4)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_an_svg_and_is_deterministic() {
        let url = "https://alliance.example.cn/verify/JGLM-2026-000123";
        let a = qr_svg(url).expect("a QR code");
        assert!(
            a.starts_with("<?xml") && a.contains("<svg") && a.contains("<path"),
            "{a}"
        );
        assert_eq!(a, qr_svg(url).expect("a QR code"));
        assert_ne!(
            a,
            qr_svg("https://alliance.example.cn/verify/JGLM-2026-000124").expect("a QR code")
        );
    }

    #[test]
    fn refuses_data_too_long_for_any_qr_version() {
        assert!(qr_svg(&"x".repeat(5000)).is_err());
    }
}
