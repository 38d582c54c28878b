//! The one way a user's file is written: saves, autosaves, backups, exports,
//! speaker notes and `--out` all come through [`write_file`].
//!
//! The bytes go to a temporary file in the same folder, are flushed to disk,
//! and the temporary file is renamed over the target, so a crash never leaves
//! half a file. What may stand at the target is decided by the [`Policy`]:
//! documents (strategy files, backups, autosaves, exports, notes) are only
//! ever regular files, so a planted link, device or pipe is refused rather
//! than followed; output the user named on the command line (`--out`) may be a
//! link (followed) or a device such as `/dev/null` (written into). A file the
//! user made read-only is never replaced. New files get the usual permissions
//! less the umask; replaced files keep theirs. The backup of the previous
//! version is made by hard link and rename, never by copying in place, so it
//! is always whole. Temporary files carry one recognisable name, and
//! [`clean_stale_temp_files`] removes those a killed process left behind.
//!
//! Reading a user-named file goes through [`read_regular`]: a regular file
//! under a size cap, opened without blocking on a pipe.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Temporary files are named `.cloudstrat-XXXXXX.tmp`, whatever the target.
pub const TEMP_PREFIX: &str = ".cloudstrat-";
pub const TEMP_SUFFIX: &str = ".tmp";
/// A temporary file older than this belongs to a write that will never finish.
pub const STALE_AFTER: Duration = Duration::from_secs(60);
/// Longest file name most file systems accept, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// What may stand at the path being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// A file cloudstrat owns the name of (strategy file, backup, autosave,
    /// export, notes): nothing, or a regular file. A symbolic link, device,
    /// pipe or folder is refused with a message saying what is there.
    #[default]
    Document,
    /// A path the user named for output (`--out`): a symbolic link is
    /// followed, a device or pipe (`/dev/null`, `/dev/stdout`) is written into.
    Output,
}

/// How [`write_file`] writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    pub policy: Policy,
    /// Keep the previous version as `<name>.bak`.
    pub backup: bool,
    /// Exact permissions for the file (speaker notes: 0o600); otherwise a
    /// replaced file keeps its own and a new one gets 0o666 less the umask.
    pub mode: Option<u32>,
}

impl WriteOptions {
    pub fn document() -> WriteOptions {
        WriteOptions::default()
    }

    pub fn output() -> WriteOptions {
        WriteOptions {
            policy: Policy::Output,
            ..WriteOptions::default()
        }
    }

    /// A document whose previous version is kept as `<name>.bak`.
    pub fn with_backup(mut self) -> WriteOptions {
        self.backup = true;
        self
    }

    /// A document only its owner may read or write (mode 0600).
    pub fn private(mut self) -> WriteOptions {
        self.mode = Some(0o600);
        self
    }
}

/// The backup kept of `path`'s previous version: `<name>.bak`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

/// Writes `bytes` to `path` as a document (see [`Policy::Document`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_file(path, bytes, &WriteOptions::document())
}

/// Writes `bytes` to `path` atomically, as `options` say.
pub fn write_file(path: &Path, bytes: &[u8], options: &WriteOptions) -> io::Result<()> {
    write_file_with(path, bytes, options, |_| Ok(()))
}

/// A write refused for what stands at the path (a link, a device, a
/// read-only file): the message says it all, for people.
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// A temporary file that could not be made in `dir`, said of the folder:
/// its own name is ours, not the user's.
fn in_folder(e: io::Error, dir: &Path) -> io::Error {
    let d = dir.display();
    let message = match e.kind() {
        io::ErrorKind::NotFound => format!("the folder {d} does not exist"),
        io::ErrorKind::PermissionDenied => format!("the folder {d} does not let you create files in it"),
        io::ErrorKind::NotADirectory => format!("{d} is not a folder"),
        kind => format!("cannot create a file in the folder {d}: {kind}"),
    };
    io::Error::new(e.kind(), Refused(message))
}

fn refuse(kind: io::ErrorKind, path: &Path, why: &str) -> io::Error {
    io::Error::new(kind, Refused(format!("{} {why}", path.display())))
}

/// [`write_file`] that calls `before_rename` with the temporary file's path
/// once it is written and flushed, just before it replaces `path` (after the
/// backup is made). An error from it abandons the write: the temporary file is
/// removed and `path` is left as it was. Checks that the file on disk is still
/// the one that was opened go there, and tests inject failures there.
pub fn write_file_with(
    path: &Path,
    bytes: &[u8],
    options: &WriteOptions,
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    match stage(path, bytes, options)? {
        Staged::Elsewhere(target) => write_file_with(&target, bytes, options, before_rename),
        Staged::Written => Ok(()),
        Staged::Temp(t) => {
            t.tmp.as_file().sync_all()?;
            t.commit(path, options, before_rename)
        }
    }
}

/// Writes several documents (see [`Policy::Document`]), each atomically as
/// [`write_file`] does, but synced once for all of them: every file's bytes
/// are written first, then all are synced in one pass (each on a thread of
/// its own, so that the file system commits them in one journal transaction
/// and the export waits for about one sync instead of one per file), then all
/// are renamed into place and their folders synced once, so that the new names
/// last too. On an error before the renames no file is renamed, so none is
/// replaced.
pub fn write_documents(files: &[(PathBuf, Vec<u8>)]) -> io::Result<()> {
    let options = WriteOptions::document();
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        match stage(path, bytes, &options)? {
            Staged::Temp(t) => staged.push((path, t)),
            // A document is only ever a regular file: stage refuses anything else.
            Staged::Elsewhere(_) | Staged::Written => {
                return Err(refuse(io::ErrorKind::PermissionDenied, path, "is not a regular file"));
            }
        }
    }
    sync_together(staged.iter().map(|(_, t)| t.tmp.as_file()))?;
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (path, t) in staged {
        if !dirs.contains(&t.dir) {
            dirs.push(t.dir.clone());
        }
        t.commit(path, &options, |_| Ok(()))?;
    }
    for dir in &dirs {
        sync_dir(dir)?;
    }
    Ok(())
}

/// Syncs every file in one pass: all at once, each on a scoped thread (the
/// first error is returned after all have finished).
fn sync_together<'a>(files: impl Iterator<Item = &'a std::fs::File>) -> io::Result<()> {
    let files: Vec<&std::fs::File> = files.collect();
    if let [one] = files.as_slice() {
        return one.sync_all();
    }
    std::thread::scope(|s| {
        let pending: Vec<_> = files.iter().map(|f| s.spawn(move || f.sync_all())).collect();
        let results: Vec<io::Result<()>> = pending
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(io::Error::other("a file sync failed"))))
            .collect();
        results.into_iter().collect()
    })
}

/// Makes the names just renamed into `dir` durable (a folder cannot be
/// synced everywhere; where it cannot, the renames stand as the file system
/// keeps them).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Where a write stands after [`stage`].
enum Staged {
    /// The bytes are in a temporary file beside the target, not yet synced.
    Temp(TempWrite),
    /// The target is a link the user named: write its target instead.
    Elsewhere(PathBuf),
    /// The target was a device or pipe the user named and has been written into.
    Written,
}

struct TempWrite {
    tmp: tempfile::NamedTempFile,
    dir: PathBuf,
    /// A regular file stands at the target now.
    replaces: bool,
}

impl TempWrite {
    /// Keeps the backup if asked, then renames the temporary file over `path`.
    fn commit(
        self,
        path: &Path,
        options: &WriteOptions,
        before_rename: impl FnOnce(&Path) -> io::Result<()>,
    ) -> io::Result<()> {
        if options.backup && self.replaces {
            make_backup(path, &self.dir)?;
        }
        before_rename(self.tmp.path())?;
        // Name the target, not the temporary file, when the rename fails.
        self.tmp
            .persist(path)
            .map_err(|e| io::Error::new(e.error.kind(), e.error.to_string()))?;
        Ok(())
    }
}

/// Checks what stands at `path` against the policy and writes `bytes` to a
/// temporary file beside it (not yet synced).
fn stage(path: &Path, bytes: &[u8], options: &WriteOptions) -> io::Result<Staged> {
    let name_bytes = path.file_name().map_or(0, |n| n.len());
    if name_bytes > MAX_FILE_NAME_BYTES - ".bak".len() {
        return Err(refuse(
            io::ErrorKind::InvalidFilename,
            path,
            &format!(
                "has a file name of {name_bytes} bytes; at most {} are allowed",
                MAX_FILE_NAME_BYTES - 4
            ),
        ));
    }
    let found = std::fs::symlink_metadata(path);
    if let Ok(m) = &found {
        let kind = m.file_type();
        if kind.is_dir() {
            return Err(refuse(io::ErrorKind::IsADirectory, path, "is a folder"));
        }
        if kind.is_symlink() {
            if options.policy == Policy::Output {
                // The user named the link: the file it points to is replaced, the link stays.
                return Ok(Staged::Elsewhere(std::fs::canonicalize(path)?));
            }
            let to = std::fs::read_link(path).map_or_else(|_| "somewhere".into(), |t| t.display().to_string());
            return Err(refuse(
                io::ErrorKind::PermissionDenied,
                path,
                &format!(
                    "is a symbolic link (to {to}); cloudstrat writes this file only as a regular file, never through a link: remove the link or choose another name"
                ),
            ));
        }
        if !kind.is_file() {
            if options.policy == Policy::Output {
                // A device or pipe the user named (/dev/null, /dev/stdout) is written into, never replaced.
                let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
                f.write_all(bytes)?;
                f.flush()?;
                return Ok(Staged::Written);
            }
            return Err(refuse(
                io::ErrorKind::PermissionDenied,
                path,
                "is not a regular file (a device, pipe or socket); nothing was written",
            ));
        }
        if is_read_only(m) {
            return Err(refuse(
                io::ErrorKind::PermissionDenied,
                path,
                "is read-only (someone took away its write permission); it was not replaced. Make it writable (chmod u+w) or choose another name",
            ));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = temp_builder(options.mode.or_else(|| found.as_ref().ok().map(mode_of)))
        .tempfile_in(dir)
        .map_err(|e| in_folder(e, dir))?;
    tmp.write_all(bytes)?;
    #[cfg(unix)]
    if let Some(mode) = options.mode.or_else(|| found.as_ref().ok().map(mode_of)) {
        // The umask may have narrowed what the builder asked for; a replaced file keeps its exact mode.
        tmp.as_file().set_permissions(permissions(mode))?;
    }
    Ok(Staged::Temp(TempWrite {
        tmp,
        dir: dir.to_path_buf(),
        replaces: found.as_ref().is_ok_and(|m| m.is_file()),
    }))
}

/// Replaces `<path>.bak` with the current `path`, atomically: a hard link of
/// it under a temporary name renamed over the backup. Where hard links are not
/// possible, a whole copy under a temporary name is renamed instead. Either
/// way the backup is the old one or the new one, never half of one, and a link
/// planted at the backup's name is replaced, not followed.
fn make_backup(path: &Path, dir: &Path) -> io::Result<()> {
    let backup = backup_path(path);
    if std::fs::symlink_metadata(&backup).is_ok_and(|m| m.is_dir()) {
        return Err(refuse(
            io::ErrorKind::IsADirectory,
            &backup,
            "is a folder; no backup can be kept",
        ));
    }
    let tmp = match temp_builder(None).make_in(dir, |p| std::fs::hard_link(path, p)) {
        Ok(linked) => linked.into_temp_path(),
        Err(_) => {
            // No hard links here (some network and FAT file systems): a whole copy, then the rename.
            let mut t = temp_builder(Some(mode_of(&std::fs::metadata(path)?))).tempfile_in(dir)?;
            io::copy(&mut std::fs::File::open(path)?, &mut t)?;
            t.as_file().sync_all()?;
            t.into_temp_path()
        }
    };
    tmp.persist(&backup)
        .map_err(|e| io::Error::new(e.error.kind(), format!("{}: {}", backup.display(), e.error)))
}

fn temp_builder(mode: Option<u32>) -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    // Created with this mode less the umask (a new document: 0o666 less the umask).
    #[cfg(unix)]
    b.permissions(permissions(mode.unwrap_or(0o666)));
    #[cfg(not(unix))]
    let _ = mode;
    b
}

#[cfg(unix)]
fn permissions(mode: u32) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(mode)
}

#[cfg(unix)]
fn mode_of(m: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o7777
}

#[cfg(unix)]
fn is_read_only(m: &std::fs::Metadata) -> bool {
    // The owner's write bit: root may write anyway, but the owner said no.
    mode_of(m) & 0o200 == 0
}

#[cfg(not(unix))]
fn mode_of(_: &std::fs::Metadata) -> u32 {
    0o666
}

#[cfg(not(unix))]
fn is_read_only(m: &std::fs::Metadata) -> bool {
    m.permissions().readonly()
}

/// Removes temporary files that writes killed half-way left in `dir`
/// (ours, and `.tmpXXXXXX` from older versions), when older than
/// [`STALE_AFTER`]. Returns how many were removed.
pub fn clean_stale_temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let ours = name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX);
            let old =
                name.len() == 10 && name.starts_with(".tmp") && name[4..].chars().all(|c| c.is_ascii_alphanumeric());
            ours || old
        })
        .filter(|e| {
            e.metadata().is_ok_and(|m| {
                m.is_file()
                    && m.modified()
                        .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age >= STALE_AFTER))
            })
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// Why [`read_regular`] read nothing.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// A device, pipe, socket or folder.
    NotRegular,
    /// More than the cap; the size in bytes (or the cap plus one, read so far).
    TooLarge(u64),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular => write!(f, "is not a regular file (a folder, device or pipe?)"),
            ReadError::TooLarge(n) => write!(f, "is too large ({n} bytes)"),
        }
    }
}

/// The contents of `path` if it is a regular file of at most `cap` bytes.
/// A pipe is opened without waiting for a writer, and the check is made on
/// the opened file, so nothing swapped in between is read. With
/// `follow_links` false, a symbolic link is refused too.
pub fn read_regular(path: &Path, cap: u64, follow_links: bool) -> Result<Vec<u8>, ReadError> {
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow_links { 0 } else { libc::O_NOFOLLOW };
        open.custom_flags(libc::O_NONBLOCK | nofollow);
    }
    let file = open.open(path).map_err(|e| {
        // O_NOFOLLOW on a link fails with ELOOP.
        if !follow_links && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            ReadError::NotRegular
        } else {
            ReadError::Io(e)
        }
    })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn output_follows_a_symlink_and_keeps_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").expect("write");
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_file(&link, b"new", &WriteOptions::output()).expect("write through");
        assert!(std::fs::symlink_metadata(&link).expect("meta").file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_document_is_never_written_through_a_symlink() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "private").expect("write");
        let link = dir.path().join("plan.ron");
        std::os::unix::fs::symlink(&victim, &link).expect("symlink");
        let e = write_atomic(&link, b"new").expect_err("refused");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "private");
    }

    #[cfg(unix)]
    #[test]
    fn output_writes_into_a_device_and_a_document_refuses_it() {
        let null = Path::new("/dev/null");
        write_file(null, b"discarded", &WriteOptions::output()).expect("write to /dev/null");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(null).expect("meta").file_type().is_char_device());
        let e = write_atomic(null, b"x").expect_err("refused");
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    #[test]
    fn a_folder_in_the_way_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(write_atomic(dir.path(), b"x").is_err());
        assert!(write_file(dir.path(), b"x", &WriteOptions::output()).is_err());
    }
}
