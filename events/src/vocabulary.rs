//! [`vocabulary!`](crate::vocabulary): one declaration for an enum of states or kinds — its wire
//! value, its Chinese label, serde, the contract's schema and storage as TEXT on both database
//! backends — so no state is ever compared or stored as a bare string.

/// Declares an enum whose every variant has a wire value (what the API sends and the database
/// stores) and a Chinese label (`/labels`, documents):
///
/// ```
/// alliance_events::vocabulary! {
///     /// Where a thing stands.
///     pub enum Stage {
///         /// Not started yet.
///         Draft = "draft" => "草稿",
///         Done = "done" => "已完成",
///     }
/// }
/// assert_eq!(Stage::parse("done"), Some(Stage::Done));
/// assert_eq!(Stage::Draft.label_zh(), "草稿");
/// assert_eq!(Stage::ALL.len(), 2);
/// ```
///
/// It gives `ALL`, `as_str`, `label_zh`, `parse`, `Display`, `FromStr`, serde with the wire
/// values, `utoipa::ToSchema`, and diesel's `FromSql`/`ToSql` for `Text` on every backend whose
/// `String`/`str` are `Text` (PostgreSQL, SQLite and the kit's `MultiBackend`): a column holding
/// a value that is not one of the variants fails loudly when read instead of being passed on.
/// The invoking crate needs `serde`, `utoipa` and `diesel` as dependencies.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                // `tt`, not `literal`: utoipa reads `#[serde(rename = …)]` only from a bare literal
                // token, and a `literal` fragment reaches it wrapped (the schema then showed the
                // Rust names).
                $variant:ident = $wire:tt => $label:tt
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $wire)]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            /// The wire value (what the API sends and the database stores).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// The Chinese label.
            pub const fn label_zh(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            /// The value with this wire value, if there is one.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, String> {
                Self::parse(s).ok_or_else(|| format!(concat!("not a ", stringify!($name), ": {:?}"), s))
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let s = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                s.parse::<Self>().map_err(Into::into)
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(self.as_str(), out)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use diesel::dsl::sql;
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    crate::vocabulary! {
        /// A test vocabulary.
        enum Stage {
            Draft = "draft" => "草稿",
            Done = "done" => "已完成",
        }
    }

    fn sqlite() -> SqliteConnection {
        SqliteConnection::establish(":memory:").expect("an in-memory SQLite database")
    }

    #[test]
    fn wire_values_labels_and_parsing() {
        assert_eq!(Stage::ALL, [Stage::Draft, Stage::Done]);
        assert_eq!(Stage::Done.as_str(), "done");
        assert_eq!(Stage::Done.to_string(), "done");
        assert_eq!(Stage::Draft.label_zh(), "草稿");
        assert_eq!("draft".parse::<Stage>(), Ok(Stage::Draft));
        assert_eq!(Stage::parse("Draft"), None, "wire values are exact");
        assert_eq!(serde_json::to_string(&Stage::Done).ok().as_deref(), Some(r#""done""#));
        assert!(serde_json::from_str::<Stage>(r#""cancelled""#).is_err());
    }

    /// The contract lists the wire values, as serde sends them.
    #[test]
    fn the_schema_lists_the_wire_values() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(Stage::schema()).unwrap_or_default();
        assert_eq!(schema["enum"], serde_json::json!(["draft", "done"]), "{schema}");
    }

    /// Stored as its wire value, read back as the variant; a stored value that is not one of
    /// the variants is an error, never a default.
    #[test]
    fn stored_as_text_and_read_back() {
        let mut c = sqlite();
        let stored: String = diesel::select(Stage::Done.into_sql::<Text>())
            .get_result(&mut c)
            .expect("binds as text");
        assert_eq!(stored, "done");
        let read: Stage = diesel::select(sql::<Text>("'draft'"))
            .get_result(&mut c)
            .expect("reads");
        assert_eq!(read, Stage::Draft);
        let unknown = diesel::select(sql::<Text>("'cancelled'")).get_result::<Stage>(&mut c);
        let err = unknown.err().map(|e| format!("{e:?}")).unwrap_or_default();
        assert!(err.contains(r#"not a Stage: \"cancelled\""#), "{err}");
    }
}
