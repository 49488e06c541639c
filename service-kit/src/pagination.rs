//! Cursor pagination: `?limit=&cursor=`; the cursor is opaque to clients (the last id seen).

use crate::problem::Code;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::problem::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 每页条数，1–500（默认 50）。Items per page, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// 上一页应答中的 `next_cursor`；取第一页时不填。`next_cursor` from the previous page.
    #[param(pattern = "^(c[0-9]{1,18})?$", max_length = 19)]
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(n) => Err(ApiError::bad_request(
                Code::InvalidLimit,
                format!("limit must be between 1 and {MAX_LIMIT}, not {n}"),
            )),
        }
    }

    /// The checked limit and cursor.
    pub fn window(&self) -> Result<Window, ApiError> {
        // The limit first: a request with both wrong is told about the limit, as before.
        let limit = self.limit()?;
        Ok(Window {
            after: self.after_id()?,
            limit,
        })
    }

    /// The id after which the page starts (0 for the first page).
    pub fn after_id(&self) -> Result<i64, ApiError> {
        match self.cursor.as_deref() {
            None | Some("") => Ok(0),
            Some(c) => c
                .strip_prefix("c")
                .and_then(|n| n.parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .ok_or_else(|| ApiError::bad_request(Code::InvalidCursor, "the cursor is not one this API returned")),
        }
    }
}

/// What a page query asks the database for, checked once: rows with an id after `after`, in id
/// order, at most [`Window::fetch`] of them; [`Window::page`] turns them into the [`Page`].
///
/// ```ignore
/// let w = page.window()?;
/// let rows = people::table.filter(people::id.gt(w.after)).order(people::id).limit(w.fetch()).load(c)?;
/// Ok(w.page(rows, |r| r.id))
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The id after which the page starts (0 for the first page).
    pub after: i64,
    /// Items per page.
    pub limit: i64,
}

impl Window {
    pub const FIRST: Window = Window {
        after: 0,
        limit: DEFAULT_LIMIT,
    };

    /// Rows to fetch: one more than a page, to know whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The page of up to [`Window::fetch`] rows fetched in id order.
    pub fn page<T>(&self, rows: Vec<T>, id_of: impl Fn(&T) -> i64) -> Page<T> {
        Page::from_rows(rows, self.limit, id_of)
    }
}

/// 列表的一页。One page of a collection.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    /// 本页的条目。The page's items.
    pub items: Vec<T>,
    /// 作为 `cursor` 传入即取下一页；最后一页没有此字段。Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The same page with every item converted (rows to their API shape).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }

    /// As [`Page::map`], for a conversion that can fail.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            next_cursor: self.next_cursor,
        })
    }

    /// Builds a page from up to `limit + 1` rows fetched in id order.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, id_of: impl Fn(&T) -> i64) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more {
            rows.last().map(|r| format!("c{}", id_of(r)))
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_page_has_a_cursor_and_the_last_has_none() {
        let p = Page::from_rows(vec![1, 2, 3], 2, |x| *x);
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next_cursor.as_deref(), Some("c2"));
        let q = PageQuery {
            limit: Some(2),
            cursor: p.next_cursor,
        };
        assert_eq!(q.after_id().ok(), Some(2));
        let last = Page::from_rows(vec![3], 2, |x| *x);
        assert!(last.next_cursor.is_none());
    }

    #[test]
    fn bad_limits_and_cursors_are_refused() {
        assert!(
            PageQuery {
                limit: Some(0),
                cursor: None
            }
            .limit()
            .is_err()
        );
        assert!(
            PageQuery {
                limit: Some(501),
                cursor: None
            }
            .limit()
            .is_err()
        );
        assert!(
            PageQuery {
                limit: None,
                cursor: Some("zz".into())
            }
            .after_id()
            .is_err()
        );
    }
}
