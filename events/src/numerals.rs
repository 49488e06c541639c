//! Numbers the way Chinese official documents write them, shared so that every service labels a
//! term alike: 第一届 (issue 14), never 第1届 in one place and 第一届 in another.

/// The digits, 〇 to 九.
pub const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// 0–99 counted: 一, 十, 十二, 二十三.
pub fn count(n: u32) -> String {
    let (tens, ones) = (n / 10, n % 10);
    let mut out = String::new();
    match tens {
        0 => {}
        1 => out.push('十'),
        t => {
            out.push(DIGITS[(t % 10) as usize]);
            out.push('十');
        }
    }
    if ones != 0 || tens == 0 {
        out.push(DIGITS[ones as usize]);
    }
    out
}

/// 1 → 一, 12 → 十二, 23 → 二十三 (term numbers: 第二届); other numbers as digits.
pub fn small_number_zh(n: i64) -> String {
    match u32::try_from(n) {
        Ok(n @ 0..=99) => count(n),
        _ => n.to_string(),
    }
}

/// The label of a term as official documents write it: 第一届, 第十二届.
pub fn term_label(term_number: i64) -> String {
    format!("第{}届", small_number_zh(term_number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_counted_in_chinese() {
        assert_eq!(term_label(1), "第一届");
        assert_eq!(term_label(10), "第十届");
        assert_eq!(term_label(12), "第十二届");
        assert_eq!(term_label(23), "第二十三届");
        assert_eq!(term_label(100), "第100届");
    }
}
