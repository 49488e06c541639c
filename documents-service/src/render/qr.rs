//! The verification URL as a QR code, drawn as SVG for the template's `image("qr.svg")`.
//!
//! The code is the `qrcode` crate's (byte/alphanumeric segments chosen by it, level M, the
//! standard's eight masks), but the mask is chosen here: the crate scores each masked canvas
//! through boxed closures and bounds-checked lookups, which took ≈ 0.45 ms of a ≈ 3 ms render
//! (profile in docs/benchmarks.md, session 9). [`penalty`] gives the same scores on a plain
//! grid, so the code drawn is the one `QrCode::with_error_correction_level` would give (tested).

use qrcode::bits::encode_auto;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::ec::construct_codewords;
use qrcode::types::QrError;
use qrcode::{Color, EcLevel};

/// Modules of white border around the code (the standard quiet zone).
const QUIET: usize = 4;

/// The masks of a (non-micro) QR code, in the order the `qrcode` crate tries them: on equal
/// scores the first wins, as there.
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The modules of the QR code of `text` at level M, row by row (`true` = dark), and the width.
pub fn qr_modules(text: &str) -> Result<(Vec<bool>, usize), QrError> {
    let bits = encode_auto(text.as_bytes(), EcLevel::M)?;
    let version = bits.version();
    let (data, ec) = construct_codewords(&bits.into_bytes(), version, EcLevel::M)?;
    let mut canvas = Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    let width = usize::try_from(version.width()).map_err(|_| QrError::InvalidVersion)?;
    let best = MASKS
        .iter()
        .map(|&mask| {
            let mut masked = canvas.clone();
            masked.apply_mask(mask);
            let dark: Vec<bool> = masked.into_colors().into_iter().map(|c| c == Color::Dark).collect();
            (penalty(&dark, width), dark)
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, dark)| dark)
        .ok_or(QrError::InvalidVersion)?;
    Ok((best, width))
}

/// The standard's penalty score of a masked code (ISO/IEC 18004 §7.8.3), computed as the
/// `qrcode` crate computes it: runs of five or more (N1), 2×2 blocks (N2), finder-like
/// 1:1:3:1:1 patterns with four light modules on either side (N3, outside the grid counts as
/// light; the three real finder patterns' 360 points per direction taken off) and the
/// dark/light balance (N4, unrounded).
fn penalty(dark: &[bool], w: usize) -> u32 {
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    let mut score: i64 = 0;
    let mut line = vec![false; w];
    for horizontal in [true, false] {
        for i in 0..w {
            for (j, m) in line.iter_mut().enumerate() {
                *m = if horizontal { dark[i * w + j] } else { dark[j * w + i] };
            }
            let mut run = 1;
            for j in 1..=w {
                if j < w && line[j] == line[j - 1] {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += run - 2;
                    }
                    run = 1;
                }
            }
            for j in 0..w.saturating_sub(6) {
                if line[j..j + 7] != FINDER {
                    continue;
                }
                let light_before = line[j.saturating_sub(4)..j].iter().all(|d| !d);
                let light_after = line[(j + 7).min(w)..(j + 11).min(w)].iter().all(|d| !d);
                if light_before || light_after {
                    score += 40;
                }
            }
        }
        score -= 360;
    }
    for y in 0..w - 1 {
        for x in 0..w - 1 {
            let c = dark[y * w + x];
            if dark[y * w + x + 1] == c && dark[(y + 1) * w + x] == c && dark[(y + 1) * w + x + 1] == c {
                score += 3;
            }
        }
    }
    let ratio = (dark.iter().filter(|d| **d).count() * 200 / dark.len()) as i64;
    score += (ratio - 100).abs();
    u32::try_from(score.max(0)).unwrap_or(u32::MAX)
}

/// An SVG QR code of `text` (error correction level M, with the standard quiet zone).
/// The template sets the printed size; the SVG's own size only fixes the aspect ratio.
///
/// Each row's runs of dark modules are drawn as one rectangle of a single path, in module units:
/// a third as many shapes as one square per module, which is most of what typst spends on the
/// code (it parses and converts the SVG anew for every document, since every code differs).
pub fn qr_svg(text: &str) -> Result<String, QrError> {
    use std::fmt::Write;
    let (dark, width) = qr_modules(text)?;
    let size = width + 2 * QUIET;
    let mut path = String::with_capacity(width * width);
    for (y, row) in dark.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] {
                let start = x;
                while x < width && row[x] {
                    x += 1;
                }
                let _ = write!(path, "M{} {}h{}v1h-{}z", start + QUIET, y + QUIET, x - start, x - start);
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
    use qrcode::QrCode;

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

    /// The mask chosen here is the crate's for every kind of input: short and long URLs, the
    /// service's `/v/{token}` links, digits only (numeric segments) and upper case (alphanumeric).
    #[test]
    fn the_code_is_the_one_the_qrcode_crate_draws() {
        let token = "eu6WKybT8-WTGoNIuUxpGLa8NER9gtJr";
        let mut inputs: Vec<String> = (0..400)
            .map(|i| format!("https://jglm.example.cn/v/{}{i}", &token[..(i % token.len())]))
            .collect();
        inputs.extend((0..60).map(|i| "7".repeat(1 + i * 7)));
        inputs.extend((0..60).map(|i| format!("HTTPS://JGLM.CN/V/{}", "AB1".repeat(i))));
        inputs.push("x".into());
        inputs.push("é中文二维码".repeat(20));
        for text in &inputs {
            let expected = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).expect("crate's code");
            let (dark, width) = qr_modules(text).expect("our code");
            assert_eq!(width, expected.width(), "{text}");
            let theirs: Vec<bool> = expected.to_colors().into_iter().map(|c| c == Color::Dark).collect();
            assert!(dark == theirs, "a different code for {text:?}");
        }
    }

    #[test]
    fn refuses_data_too_long_for_any_qr_version() {
        assert!(qr_svg(&"x".repeat(5000)).is_err());
    }
}
