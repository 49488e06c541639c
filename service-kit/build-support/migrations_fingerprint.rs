// Included (`include!`) by the build scripts of the services that embed migrations. It sets
// `MIGRATIONS_FINGERPRINT` for the crate being built: a 128-bit FNV-1a hash over the relative
// path and the bytes of every file under `migrations/` (both backends' sets: `up.sql`,
// `down.sql`, `metadata.toml`), in sorted order, each length-prefixed. `embed_migrations!` reads
// the same folder in the same build, and `rerun-if-changed` on the folder makes cargo run this
// script again (and so rebuild the crate) whenever a file in it is added, removed or changed, so
// the fingerprint always describes exactly the migrations compiled into the crate. The test
// databases (the `test-db` crate) name their PostgreSQL templates after it.

fn emit_migrations_fingerprint() {
    let root = std::path::Path::new("migrations");
    println!("cargo:rerun-if-changed=migrations");
    let mut files = Vec::new();
    collect_files(root, &mut files);
    files.sort();
    let mut hash: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    let mut feed = |bytes: &[u8]| {
        for chunk in [&(bytes.len() as u64).to_le_bytes()[..], bytes] {
            for b in chunk {
                hash ^= u128::from(*b);
                hash = hash.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
            }
        }
    };
    for path in &files {
        let relative = path.strip_prefix(root).unwrap_or(path);
        feed(relative.to_string_lossy().replace('\\', "/").as_bytes());
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        feed(&bytes);
    }
    println!("cargo:rustc-env=MIGRATIONS_FINGERPRINT={hash:032x}");
}

fn collect_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}
