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
                $variant:ident = $wire:literal => $label:literal
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
