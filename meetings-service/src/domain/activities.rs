//! Activities (活动) of a body (第十二条, 第十三条).

pub use alliance_events::vocab::ActivityKind;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(k.as_str()), Some(k));
        }
    }
}
