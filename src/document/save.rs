//! Writing files safely: a temporary file in the same folder, flushed to disk,
//! then renamed over the target, so a crash never leaves half a file.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, bytes, |_| Ok(()))
}

/// [`write_atomic`] that calls `before_rename` with the temporary file's path
/// once it is written and flushed, just before it replaces `path`. An error
/// from it abandons the write: the temporary file is removed and `path` is
/// left as it was. Backups are made there, and tests inject failures there.
pub fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // A symbolic link is followed: the file it points to is replaced, the link stays.
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        let target = std::fs::canonicalize(path)?;
        return write_atomic_with(&target, bytes, before_rename);
    }
    // Something that is not a regular file (a device such as /dev/null, a pipe)
    // must never be replaced by one: write straight into it.
    if let Ok(m) = std::fs::metadata(path)
        && !m.is_file()
    {
        if m.is_dir() {
            return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a folder"));
        }
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        f.write_all(bytes)?;
        return f.flush();
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    // Temporary files are private; the result keeps the target's permissions, or
    // gets the usual ones for a new document.
    let perms = match std::fs::metadata(path) {
        Ok(m) => m.permissions(),
        Err(_) => default_permissions(tmp.as_file())?,
    };
    tmp.as_file().set_permissions(perms)?;
    tmp.as_file().sync_all()?;
    before_rename(tmp.path())?;
    // Name the target, not the temporary file, when the rename fails.
    tmp.persist(path)
        .map_err(|e| std::io::Error::new(e.error.kind(), e.error.kind().to_string()))?;
    Ok(())
}

#[cfg(unix)]
fn default_permissions(_: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions(f: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    Ok(f.metadata()?.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlink_is_written_through_and_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").expect("write");
        let link = dir.path().join("link.csv");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&real, &link).expect("symlink");
            write_atomic(&link, b"new").expect("write through");
            assert!(std::fs::symlink_metadata(&link).expect("meta").file_type().is_symlink());
            assert_eq!(std::fs::read_to_string(&real).expect("read"), "new");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_into_not_replaced() {
        let null = Path::new("/dev/null");
        write_atomic(null, b"discarded").expect("write to /dev/null");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata(null).expect("meta").file_type().is_char_device());
    }

    #[test]
    fn a_folder_in_the_way_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(write_atomic(dir.path(), b"x").is_err());
    }
}
