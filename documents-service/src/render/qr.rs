//! The verification URL as a QR code, drawn as SVG for the template's `image("qr.svg")`.

use qrcode::{Color, EcLevel, QrCode};

/// Modules of white border around the code (the standard quiet zone).
const QUIET: usize = 4;

/// An SVG QR code of `text` (error correction level M, with the standard quiet zone).
/// The template sets the printed size; the SVG's own size only fixes the aspect ratio.
///
/// Each row's runs of dark modules are drawn as one rectangle of a single path, in module units:
/// a third as many shapes as one square per module, which is most of what typst spends on the
/// code (it parses and converts the SVG anew for every document, since every code differs).
pub fn qr_svg(text: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET;
    let mut path = String::with_capacity(width * width);
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + QUIET,
                    y + QUIET,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    Ok(format!(
        "<?xml version=\"1.0\" standalone=\"yes\"?>\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{px}\" height=\"{px}\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#ffffff\"/><path fill=\"#000000\" d=\"{path}\"/></svg>",
        px = size * 4
    ))
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
    fn draws_one_rectangle_per_run_of_dark_modules_inside_the_quiet_zone() {
        let svg = qr_svg("https://alliance.example.cn/verify/JGLM-2026-000123").expect("a QR code");
        // Version 4 at level M: 33 modules, plus 4 of quiet zone on each side.
        assert!(svg.contains("viewBox=\"0 0 41 41\""), "{svg}");
        // The top-left finder pattern: a run of 7 dark modules starting at the quiet zone.
        assert!(svg.contains("M4 4h7v1h-7z"), "{svg}");
        let runs = svg.matches('M').count();
        assert!((100..600).contains(&runs), "{runs} runs");
    }

    #[test]
    fn refuses_data_too_long_for_any_qr_version() {
        assert!(qr_svg(&"x".repeat(5000)).is_err());
    }
}
