//! PATCH bodies: tell "field absent" (keep) from "field null" (clear).

use serde::{Deserialize, Deserializer};

/// Use with `#[serde(default, deserialize_with = "service_kit::patch::double_option")]` on an
/// `Option<Option<T>>`: absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct P {
        #[serde(default, deserialize_with = "super::double_option")]
        v: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_differ() {
        let p = |s: &str| serde_json::from_str::<P>(s).ok().map(|p| p.v);
        assert_eq!(p("{}"), Some(None));
        assert_eq!(p(r#"{"v":null}"#), Some(Some(None)));
        assert_eq!(p(r#"{"v":"x"}"#), Some(Some(Some("x".to_owned()))));
    }
}
