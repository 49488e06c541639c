//! Large read-only data embedded in the binary (the CJK fonts, 48 MiB) whose pages the sweeper
//! unmaps again.
//!
//! The kernel maps a file's pages into the process as they are read, 64 KiB around each page
//! touched, and leaves them mapped: typst hashes each font's bytes once (its content hash), and
//! rendering reads glyphs from all over the faces, so after a while both fonts were wholly
//! resident, 48 MiB of the suite's RSS (`bench/run.sh`, issue 11). [`release_on_sweep`]
//! registers such data; each sweep drops this process's mappings of its pages with
//! `MADV_DONTNEED`. For a private mapping of a file that is never written that only forgets
//! the page-table entries: the pages stay in the page cache, and the next read maps them
//! again (a minor fault, the same bytes), so only what was read since the last sweep stays
//! resident.
//!
//! Only a file-backed, read-only mapping may be released this way: on anonymous or written
//! pages `MADV_DONTNEED` would zero the data. Registration checks `/proc/self/maps` and refuses
//! anything else.

use std::sync::{Mutex, PoisonError};

/// Page-aligned `(start, length)` ranges to release at each sweep.
static RANGES: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());

/// Registers `data` (e.g. an `include_bytes!` array) so that each sweep releases its pages.
/// Refused unless every byte of it lies in a read-only mapping of a file; the whole pages
/// inside it are released, never a page it shares with other data. Not on other systems
/// than Linux: there it does nothing.
pub fn release_on_sweep(data: &'static [u8]) -> Result<(), String> {
    #[cfg(target_os = "linux")]
    {
        let Some(range) = interior_pages(data.as_ptr() as usize, data.len(), page_size()) else {
            return Ok(());
        };
        let maps = std::fs::read_to_string("/proc/self/maps").map_err(|e| format!("/proc/self/maps: {e}"))?;
        if !in_read_only_file_mapping(&maps, data.as_ptr() as usize, data.len()) {
            return Err("the data is not in a read-only file mapping; its pages are not released".into());
        }
        let mut ranges = RANGES.lock().unwrap_or_else(PoisonError::into_inner);
        if !ranges.contains(&range) {
            ranges.push(range);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = data;
    Ok(())
}

/// Releases the registered ranges' pages (called by the sweeper).
#[allow(unsafe_code)]
pub(crate) fn release() {
    #[cfg(target_os = "linux")]
    {
        let ranges = RANGES.lock().unwrap_or_else(PoisonError::into_inner).clone();
        for (start, len) in ranges {
            // SAFETY: the range was checked at registration to be whole pages of a read-only,
            // private file mapping of `'static` data (the binary's, never unmapped); dropping
            // their page-table entries loses nothing, since the next read maps the same bytes
            // from the file again.
            unsafe {
                libc::madvise(start as *mut libc::c_void, len, libc::MADV_DONTNEED);
            }
        }
    }
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn page_size() -> usize {
    // SAFETY: sysconf takes an integer and reads a constant of the system.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size)
        .ok()
        .filter(|s| s.is_power_of_two())
        .unwrap_or(4096)
}

/// The whole pages inside `[start, start + len)`, or `None` when there is none.
fn interior_pages(start: usize, len: usize, page: usize) -> Option<(usize, usize)> {
    let first = start.checked_add(page - 1)? & !(page - 1);
    let end = start.checked_add(len)? & !(page - 1);
    (end > first).then(|| (first, end - first))
}

/// Whether `[start, start + len)` lies in mappings (one or several adjacent) that are readable,
/// not writable, private and backed by a file, as `/proc/self/maps` lists them.
fn in_read_only_file_mapping(maps: &str, start: usize, len: usize) -> bool {
    let end = start.saturating_add(len);
    let mut covered = start;
    let mut lines: Vec<(usize, usize, bool)> = maps
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (from, to) = fields.next()?.split_once('-')?;
            let perms = fields.next()?;
            let path = fields.nth(3);
            let from = usize::from_str_radix(from, 16).ok()?;
            let to = usize::from_str_radix(to, 16).ok()?;
            let ok = perms.starts_with('r')
                && perms.as_bytes().get(1) == Some(&b'-')
                && perms.as_bytes().get(3) == Some(&b'p')
                && path.is_some_and(|p| p.starts_with('/'));
            Some((from, to, ok))
        })
        .collect();
    lines.sort_unstable();
    for (from, to, ok) in lines {
        if to <= covered || from > covered {
            continue;
        }
        if !ok {
            return false;
        }
        covered = to;
        if covered >= end {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read-only data of the test binary, several pages long (a `static` without interior
    /// mutability lands in `.rodata`, a read-only mapping of the file).
    static EMBEDDED: [u8; 5 * 4096] = [7; 5 * 4096];

    #[test]
    fn only_whole_pages_inside_the_data_are_released() {
        assert_eq!(interior_pages(4096, 8192, 4096), Some((4096, 8192)));
        assert_eq!(interior_pages(4000, 8192, 4096), Some((4096, 4096)));
        assert_eq!(interior_pages(4000, 100, 4096), None);
        assert_eq!(interior_pages(usize::MAX - 10, 100, 4096), None);
    }

    #[test]
    fn a_mapping_must_be_a_read_only_private_file() {
        let maps = "\
1000-3000 r--p 00000000 fe:00 42 /usr/bin/x
3000-5000 r-xp 00002000 fe:00 42 /usr/bin/x
5000-6000 rw-p 00004000 fe:00 42 /usr/bin/x
7000-8000 r--p 00000000 00:00 0
9000-a000 r--s 00000000 fe:00 43 /dev/shm/y
";
        assert!(in_read_only_file_mapping(maps, 0x1800, 0x2000));
        assert!(
            !in_read_only_file_mapping(maps, 0x4800, 0x1000),
            "runs into a writable mapping"
        );
        assert!(!in_read_only_file_mapping(maps, 0x7100, 0x100), "anonymous");
        assert!(!in_read_only_file_mapping(maps, 0x9100, 0x100), "shared");
        assert!(!in_read_only_file_mapping(maps, 0x6100, 0x100), "not mapped at all");
    }

    /// Whether the page holding `addr` is mapped in this process (`/proc/self/pagemap`, bit 63).
    #[cfg(target_os = "linux")]
    fn resident(addr: usize) -> bool {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = std::fs::File::open("/proc/self/pagemap").expect("pagemap");
        f.seek(SeekFrom::Start((addr / page_size()) as u64 * 8)).expect("seek");
        let mut entry = [0u8; 8];
        f.read_exact(&mut entry).expect("read");
        u64::from_le_bytes(entry) >> 63 == 1
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn heap_data_is_refused_and_the_binarys_own_pages_are_unmapped_and_read_back_the_same() {
        let leaked: &'static [u8] = Vec::leak(vec![7u8; 64 * 1024]);
        assert!(release_on_sweep(leaked).is_err(), "heap pages would be zeroed");

        let data: &'static [u8] = &EMBEDDED;
        let middle = data.as_ptr() as usize + 2 * 4096;
        assert_eq!(
            std::hint::black_box(data).iter().map(|&b| u64::from(b)).sum::<u64>(),
            7 * 5 * 4096
        );
        assert!(resident(middle), "read, so mapped");
        assert_eq!(release_on_sweep(data), Ok(()));
        release();
        assert!(!resident(middle), "released");
        assert!(
            std::hint::black_box(data).iter().all(|&b| b == 7),
            "the same bytes, read again"
        );
        assert!(resident(middle));
    }
}
