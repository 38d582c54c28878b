//! The saves folder and the dashboard's other dealings with the disk: saving
//! with a backup, autosaves, listing saved strategies, and noticing when an
//! open file changes underneath.
//!
//! What a strategy file contains is `file`'s business; the atomic write itself
//! is `save`'s. Nothing here draws or knows about keys. Writes go through one
//! [`Storage`], whose write hook lets tests make any write fail just before
//! the rename (a full disk, a read-only folder) without touching permissions.

use crate::document::Source;
use crate::document::file::{self, Document, LoadError};
use chrono::{DateTime, Utc};
use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// Environment variable naming the saves folder (`--saves-dir` wins over it).
pub const SAVES_ENV: &str = "CLOUDSTRAT_SAVES";
/// Folder inside the saves folder where autosaves go when there is no state
/// folder for them (see [`Storage::with_autosave_dir`]).
pub const AUTOSAVE_DIR: &str = ".autosave";
/// First line of every autosave; the rest of the line names the document.
const AUTOSAVE_HEADER: &str = "// cloudstrat autosave of ";
/// Longest name accepted for a saved strategy, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest name accepted for a saved strategy, in bytes (UTF-8): with
/// `.ron.bak`, the autosave's additions and room to spare, every file made
/// from it stays within the 255-byte file-name limit.
pub const MAX_NAME_BYTES: usize = 160;
/// Longest file stem used in an autosave's or export folder's name, in bytes.
const MAX_DERIVED_STEM_BYTES: usize = 120;
/// Names Windows reserves for devices, whatever the extension.
const RESERVED_NAMES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2",
    "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];
/// Characters no file name may hold on some system cloudstrat runs on.
const FORBIDDEN: [char; 9] = ['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

/// The saves folder: `--saves-dir`, else `$CLOUDSTRAT_SAVES`, else `saves/`.
pub fn saves_dir(flag: Option<&Path>, env: Option<&OsStr>) -> PathBuf {
    match (flag, env) {
        (Some(dir), _) => dir.to_path_buf(),
        (None, Some(dir)) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from("saves"),
    }
}

/// Checks a name typed for a strategy and returns the file stem to use
/// (a trailing `.ron` is dropped). Names stay inside the saves folder and are
/// portable: no characters some system forbids, no names Windows reserves, no
/// invisible or direction-changing characters that would disguise a name, and
/// at most [`MAX_NAME_CHARS`] characters and [`MAX_NAME_BYTES`] bytes.
pub fn check_name(typed: &str) -> Result<String, String> {
    let name = typed.trim();
    let name = name.strip_suffix(".ron").unwrap_or(name).trim_end();
    if name.is_empty() {
        return Err("type a name".into());
    }
    if name.contains(['/', '\\']) {
        return Err("a name cannot contain / or \\; files always go into the saves folder".into());
    }
    if name.starts_with('.') {
        return Err("a name cannot start with a dot".into());
    }
    if name.ends_with('.') {
        return Err("a name cannot end with a dot".into());
    }
    if name.chars().any(char::is_control) {
        return Err("a name cannot contain control characters".into());
    }
    if let Some(c) = name.chars().find(|c| FORBIDDEN.contains(c)) {
        return Err(format!(
            "a name cannot contain {c} (none of : * ? \" < > | are allowed)"
        ));
    }
    if let Some(c) = name.chars().find(|&c| crate::document::clean::is_invisible(c)) {
        return Err(format!(
            "a name cannot contain the invisible or direction-changing character U+{:04X}",
            u32::from(c)
        ));
    }
    let device = name.split('.').next().unwrap_or(name).trim_end();
    if RESERVED_NAMES.iter().any(|r| r.eq_ignore_ascii_case(device)) {
        return Err(format!("{device} is a device name on Windows; choose another name"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("a name can have at most {MAX_NAME_CHARS} characters"));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "this name takes {} bytes on disk; at most {MAX_NAME_BYTES} (letters such as é take 2, most emoji 4)",
            name.len()
        ));
    }
    Ok(name.to_string())
}

/// A portable file name derived from any text (a file stem, a preset name):
/// what [`check_name`] refuses is replaced by `_`, the result is at most
/// [`MAX_DERIVED_STEM_BYTES`] bytes, and it is never empty, hidden or reserved.
pub fn portable_stem(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        let c = if c.is_control() || FORBIDDEN.contains(&c) || crate::document::clean::is_invisible(c) {
            '_'
        } else {
            c
        };
        if out.len() + c.len_utf8() > MAX_DERIVED_STEM_BYTES {
            break;
        }
        out.push(c);
    }
    let out = out.trim_start_matches('.').trim_end_matches(['.', ' ']).to_string();
    if out.is_empty() {
        return "scenario".into();
    }
    let device = out.split('.').next().unwrap_or(&out).trim_end();
    if RESERVED_NAMES.iter().any(|r| r.eq_ignore_ascii_case(device)) {
        return format!("{out}_");
    }
    out
}

/// A file's identity, modification time and length, to notice changes by
/// other programs. Every save replaces the file by a new one (a rename), so
/// the identity (device and inode) changes with each save, even within the
/// resolution of the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub modified: SystemTime,
    pub len: u64,
    /// (device, inode) where the system has them.
    pub id: (u64, u64),
}

impl FileStamp {
    /// The stamp of a regular file; `None` when it is missing or not a file.
    pub fn of(path: &Path) -> Option<FileStamp> {
        let m = std::fs::metadata(path).ok()?;
        m.is_file().then_some(())?;
        #[cfg(unix)]
        let id = {
            use std::os::unix::fs::MetadataExt;
            (m.dev(), m.ino())
        };
        #[cfg(not(unix))]
        let id = (0, 0);
        Some(FileStamp {
            modified: m.modified().ok()?,
            len: m.len(),
            id,
        })
    }
}

/// The error of a save refused because the file on disk is no longer the
/// one that was opened (another program or dashboard saved it meanwhile).
#[derive(Debug)]
pub struct ChangedOnDisk;

impl fmt::Display for ChangedOnDisk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the file was changed on disk by another program since it was opened")
    }
}

impl std::error::Error for ChangedOnDisk {}

/// A failed save, with a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveError {
    pub path: PathBuf,
    pub message: String,
    /// True when the save was refused because the file changed on disk since it was opened.
    pub changed_on_disk: bool,
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot save to {}: {}", self.path.display(), self.message)
    }
}

impl SaveError {
    fn new(path: &Path, e: &io::Error) -> SaveError {
        let why = match e.kind() {
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                "the folder is read-only or not yours"
            }
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => "the disk is full",
            io::ErrorKind::IsADirectory => "a folder of that name is in the way",
            io::ErrorKind::NotADirectory | io::ErrorKind::AlreadyExists => {
                "a file is in the way where a folder should be"
            }
            _ => "",
        };
        // Messages written for people by the write path say it all already.
        let own = e
            .get_ref()
            .is_some_and(|r| r.downcast_ref::<crate::document::save::Refused>().is_some());
        let message = if why.is_empty() || own {
            e.to_string()
        } else {
            format!("{why} ({e})")
        };
        SaveError {
            path: path.to_path_buf(),
            message,
            changed_on_disk: e.get_ref().is_some_and(|r| r.downcast_ref::<ChangedOnDisk>().is_some()),
        }
    }
}

/// Called with the temporary file just before it is renamed over its target.
pub type WriteHook = Arc<dyn Fn(&Path) -> io::Result<()> + Send + Sync>;
/// The time stamped into saved files.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// One entry of the saves folder.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedFile {
    pub path: PathBuf,
    /// The file name without `.ron`.
    pub stem: String,
    pub on_disk: SystemTime,
    /// The strategy's metadata, or why it does not load (as `cloudstrat check` says it).
    pub meta: Result<crate::sim::scenario::Meta, String>,
}

/// An autosave found for a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Autosave {
    pub path: PathBuf,
    /// The autosaved work, or why it does not load.
    pub document: Result<Document, LoadError>,
}

/// The saves folder, with the write hook and the clock.
#[derive(Clone)]
pub struct Storage {
    dir: PathBuf,
    /// Where autosaves go: `<dir>/.autosave` unless set to the OS state folder.
    autosave_dir: PathBuf,
    hook: Option<WriteHook>,
    clock: Clock,
}

impl fmt::Debug for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Storage")
            .field("dir", &self.dir)
            .field("autosave_dir", &self.autosave_dir)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

impl Storage {
    pub fn new(dir: PathBuf) -> Storage {
        Storage {
            autosave_dir: dir.join(AUTOSAVE_DIR),
            dir,
            hook: None,
            clock: Arc::new(Utc::now),
        }
    }

    /// Keeps autosaves in `dir` (the OS state folder) instead of the saves
    /// folder, so that unsaved work is offered back wherever the dashboard
    /// starts next.
    pub fn with_autosave_dir(mut self, dir: PathBuf) -> Storage {
        self.autosave_dir = dir;
        self
    }

    /// Where autosaves go.
    pub fn autosave_dir(&self) -> &Path {
        &self.autosave_dir
    }

    /// Runs `hook` before every rename; an error from it fails the write, leaving the target as it was.
    pub fn with_write_hook(mut self, hook: WriteHook) -> Storage {
        self.hook = Some(hook);
        self
    }

    /// Stamps saved files with `clock` instead of the current time.
    pub fn with_clock(mut self, clock: Clock) -> Storage {
        self.clock = clock;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// `saves/<name>.ron`.
    pub fn path_for(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.ron"))
    }

    /// The backup kept of `path`'s previous version: `<name>.ron.bak`.
    pub fn backup_path(path: &Path) -> PathBuf {
        crate::document::save::backup_path(path)
    }

    /// Writes through the one write path, after `check` and the write hook.
    fn write(
        &self,
        path: &Path,
        bytes: &[u8],
        options: &crate::document::save::WriteOptions,
        check: impl FnOnce() -> io::Result<()>,
    ) -> io::Result<()> {
        if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(d)?;
        }
        crate::document::save::write_file_with(path, bytes, options, |tmp| {
            check()?;
            match &self.hook {
                Some(h) => h(tmp),
                None => Ok(()),
            }
        })
    }

    /// Writes a strategy file atomically, keeping the previous version as `<name>.ron.bak`.
    pub fn save(&self, path: &Path, text: &str) -> Result<(), SaveError> {
        self.write(
            path,
            text.as_bytes(),
            &crate::document::save::WriteOptions::document().with_backup(),
            || Ok(()),
        )
        .map_err(|e| SaveError::new(path, &e))
    }

    /// [`Storage::save`] that first checks, right before the file is
    /// replaced, that the file on disk is still `expected` (`None`: there is
    /// none); otherwise nothing is written and the error says
    /// [`SaveError::changed_on_disk`].
    pub fn save_over(&self, path: &Path, text: &str, expected: Option<FileStamp>) -> Result<(), SaveError> {
        let check = || {
            if FileStamp::of(path) == expected {
                Ok(())
            } else {
                Err(io::Error::other(ChangedOnDisk))
            }
        };
        self.write(
            path,
            text.as_bytes(),
            &crate::document::save::WriteOptions::document().with_backup(),
            check,
        )
        .map_err(|e| SaveError::new(path, &e))
    }

    /// Removes temporary files that killed writes left in the saves folder
    /// and its autosave folder; returns how many.
    pub fn clean_stale_temp_files(&self) -> usize {
        crate::document::save::clean_stale_temp_files(&self.dir)
            + crate::document::save::clean_stale_temp_files(&self.autosave_dir)
    }

    /// The folder `x` exports `source` into: `exports/<name>` in the saves
    /// folder, the name made portable; files from outside the saves folder
    /// get a hash of their path too, so two `plan.ron` never share a folder.
    pub fn export_dir(&self, source: &Source) -> PathBuf {
        self.dir.join("exports").join(self.derived_name(source))
    }

    /// A portable name for files made for `source`, bounded in bytes.
    fn derived_name(&self, source: &Source) -> String {
        match source {
            Source::Preset(p) => format!("preset-{}", portable_stem(p)),
            Source::File(path) => {
                let raw = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
                let stem = portable_stem(&raw);
                // Short names only where the folder is this saves folder's own:
                // a state folder is shared by every saves folder.
                let own_folder = self.autosave_dir == self.dir.join(AUTOSAVE_DIR);
                if own_folder && path.parent() == Some(self.dir.as_path()) && stem == raw {
                    stem
                } else {
                    let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                    format!("{stem}-{:08x}", super::fnv1a(abs.to_string_lossy().as_bytes()) as u32)
                }
            }
        }
    }

    /// Where the autosave of the document from `source` goes. Files in the
    /// saves folder and presets get their name; other files their name plus a
    /// hash of their path, so two `plan.ron` in different folders do not meet.
    pub fn autosave_path(&self, source: &Source) -> PathBuf {
        self.autosave_dir.join(format!("{}.ron", self.derived_name(source)))
    }

    fn origin(source: &Source) -> String {
        match source {
            Source::Preset(p) => format!("preset:{p}"),
            Source::File(path) => std::path::absolute(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
        }
    }

    /// Writes `document` as the autosave of `source`.
    pub fn write_autosave(
        &self,
        source: &Source,
        sc: &crate::sim::Scenario,
        baseline: Option<&crate::sim::Scenario>,
    ) -> io::Result<PathBuf> {
        self.write_autosave_to(source, sc, baseline, None)
    }

    /// Writes the autosave of `source` into `ours` (the file this dashboard
    /// wrote before) or, the first time, into the document's autosave, unless
    /// another dashboard's unsaved work of the same document is there: then
    /// into a file of this process's own (`<name>~<pid>.ron`), so two
    /// dashboards on one file never overwrite each other's autosave.
    pub fn write_autosave_to(
        &self,
        source: &Source,
        sc: &crate::sim::Scenario,
        baseline: Option<&crate::sim::Scenario>,
        ours: Option<&Path>,
    ) -> io::Result<PathBuf> {
        let path = match ours {
            Some(p) => p.to_path_buf(),
            None if self.another_autosave(source) => {
                let main = self.autosave_path(source);
                let stem = main.file_stem().unwrap_or_default().to_string_lossy().into_owned();
                main.with_file_name(format!("{stem}~{}.ron", std::process::id()))
            }
            None => self.autosave_path(source),
        };
        let text = format!(
            "{AUTOSAVE_HEADER}{}\n{}",
            Self::origin(source),
            file::to_ron_document(sc, baseline)
        );
        self.write(
            &path,
            text.as_bytes(),
            &crate::document::save::WriteOptions::document(),
            || Ok(()),
        )?;
        Ok(path)
    }

    /// True when the document's autosave holds unsaved work of this very
    /// document that is not older than its file: another dashboard's, live.
    fn another_autosave(&self, source: &Source) -> bool {
        let main = self.autosave_path(source);
        let Some(saved) = FileStamp::of(&main) else {
            return false;
        };
        if let Source::File(f) = source
            && FileStamp::of(f).is_some_and(|file| saved.modified < file.modified)
        {
            return false;
        }
        crate::document::save::read_regular(&main, file::MAX_FILE_BYTES, false).is_ok_and(|bytes| {
            String::from_utf8_lossy(&bytes)
                .lines()
                .next()
                .and_then(|l| l.strip_prefix(AUTOSAVE_HEADER))
                == Some(Self::origin(source).as_str())
        })
    }

    /// The autosaves that may belong to `source`: its own name and the
    /// `<name>~<pid>` of a second dashboard on the same document.
    fn autosave_candidates(&self, source: &Source) -> Vec<PathBuf> {
        let main = self.autosave_path(source);
        let stem = main.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let mut out = vec![main.clone()];
        if let Ok(entries) = std::fs::read_dir(&self.autosave_dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let second = name
                    .strip_prefix(&format!("{stem}~"))
                    .and_then(|rest| rest.strip_suffix(".ron"))
                    .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
                if second {
                    out.push(e.path());
                }
            }
        }
        out
    }

    /// The newest autosave of `source` that is newer than the file (any
    /// autosave of a preset counts) and was written for this very document.
    pub fn find_autosave(&self, source: &Source) -> Option<Autosave> {
        let mut found: Option<(SystemTime, PathBuf)> = None;
        for path in self.autosave_candidates(source) {
            let Some(saved) = FileStamp::of(&path) else { continue };
            if let Source::File(f) = source
                && FileStamp::of(f).is_some_and(|file| saved.modified <= file.modified)
            {
                continue;
            }
            let Ok(bytes) = crate::document::save::read_regular(&path, file::MAX_FILE_BYTES, false) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let first = text.lines().next().unwrap_or("");
            if first.strip_prefix(AUTOSAVE_HEADER) != Some(Self::origin(source).as_str()) {
                continue;
            }
            if found.as_ref().is_none_or(|(t, _)| saved.modified > *t) {
                found = Some((saved.modified, path));
            }
        }
        let (_, path) = found?;
        let document = file::load_document(&path);
        Some(Autosave { path, document })
    }

    /// How many autosaves of documents other than `source` wait in the saves folder.
    pub fn other_autosaves(&self, source: &Source) -> usize {
        let own = self.autosave_candidates(source);
        std::fs::read_dir(&self.autosave_dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ron") && !own.contains(p))
                .count()
        })
    }

    /// Removes the autosave of `source`, if any.
    pub fn remove_autosave(&self, source: &Source) {
        // Nothing to do when it is already gone; any other failure leaves an
        // autosave that the next start offers again, which loses nothing.
        let _ = std::fs::remove_file(self.autosave_path(source));
    }

    /// The strategy files in the saves folder, newest first. Files that do not
    /// load are listed with their error; a missing folder is an empty list.
    pub fn list(&self) -> Vec<SavedFile> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<SavedFile> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let path = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                let stem = name.strip_suffix(".ron")?.to_string();
                if stem.is_empty() || stem.starts_with('.') {
                    return None;
                }
                let m = e.metadata().ok()?;
                if !m.is_file() {
                    return None;
                }
                let meta = file::load_path(&path).map(|sc| sc.meta).map_err(|e| e.to_string());
                Some(SavedFile {
                    path,
                    stem,
                    on_disk: m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    meta,
                })
            })
            .collect();
        out.sort_by(|a, b| b.on_disk.cmp(&a.on_disk).then_with(|| a.stem.cmp(&b.stem)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_in_the_saves_folder() {
        assert_eq!(check_name(" plan.ron "), Ok("plan".into()));
        assert_eq!(check_name("Q3 plan – v2"), Ok("Q3 plan – v2".into()));
        for bad in ["", "  ", "a/b", "..\\x", ".hidden", "../up", "a\u{7}", "c:x"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn names_are_portable_and_cannot_disguise_themselves() {
        for bad in [
            "CON",
            "nul",
            "Com1",
            "lpt9.txt",
            "aux .x",
            "a*b",
            "a?b",
            "a<b",
            "a>b",
            "a|b",
            "a\"b",
            "plan.",
            "pay\u{200B}roll",
            "evil\u{202E}nor.exe",
            "\u{FEFF}plan",
            "a\u{2066}b",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?} should be refused");
        }
        for good in ["console", "Q3 plan – v2", "naïve", "COM10", "plan.v2"] {
            assert_eq!(check_name(good), Ok(good.to_string()));
        }
        // 64 characters of two bytes each are 128 bytes: allowed; 4-byte emoji are not.
        assert!(check_name(&"é".repeat(64)).is_ok());
        let emoji = "🙂".repeat(41);
        assert!(check_name(&emoji).unwrap_err().contains("bytes"));
    }

    #[test]
    fn derived_names_are_portable_and_bounded() {
        assert_eq!(portable_stem("..."), "scenario");
        assert_eq!(portable_stem("NUL"), "NUL_");
        assert_eq!(portable_stem("a\u{1b}[31mb"), "a_[31mb");
        assert!(portable_stem(&"é".repeat(200)).len() <= 120);
        let s = Storage::new(PathBuf::from("/s"));
        let long = format!("/elsewhere/{}.ron", "n".repeat(250));
        let auto = s.autosave_path(&Source::File(PathBuf::from(long)));
        assert!(auto.file_name().map_or(0, |n| n.len()) <= 140, "{}", auto.display());
        let dots = s.export_dir(&Source::File(PathBuf::from("/s/....ron")));
        assert!(
            dots.starts_with("/s/exports/") && dots != Path::new("/s/exports"),
            "{}",
            dots.display()
        );
    }

    #[test]
    fn flag_beats_environment_beats_default() {
        let env = OsStr::new("/env");
        assert_eq!(saves_dir(Some(Path::new("/flag")), Some(env)), PathBuf::from("/flag"));
        assert_eq!(saves_dir(None, Some(env)), PathBuf::from("/env"));
        assert_eq!(saves_dir(None, Some(OsStr::new(""))), PathBuf::from("saves"));
        assert_eq!(saves_dir(None, None), PathBuf::from("saves"));
    }

    #[test]
    fn autosave_names_do_not_collide() {
        let s = Storage::new(PathBuf::from("/s"));
        let a = s.autosave_path(&Source::File(PathBuf::from("/s/plan.ron")));
        let b = s.autosave_path(&Source::File(PathBuf::from("/elsewhere/plan.ron")));
        let c = s.autosave_path(&Source::Preset("plan".into()));
        assert_eq!(a, PathBuf::from("/s/.autosave/plan.ron"));
        assert_ne!(a, b);
        assert_ne!(a, c);
        // In a state folder shared by every saves folder, a file's name carries its path's hash.
        let shared = Storage::new(PathBuf::from("/s")).with_autosave_dir(PathBuf::from("/state/autosave"));
        let a = shared.autosave_path(&Source::File(PathBuf::from("/s/plan.ron")));
        let other = Storage::new(PathBuf::from("/t")).with_autosave_dir(PathBuf::from("/state/autosave"));
        let b = other.autosave_path(&Source::File(PathBuf::from("/t/plan.ron")));
        assert!(
            a.starts_with("/state/autosave") && a != b,
            "{} {}",
            a.display(),
            b.display()
        );
        assert_eq!(
            shared.autosave_path(&Source::Preset("default".into())),
            other.autosave_path(&Source::Preset("default".into()))
        );
        assert_eq!(
            Storage::backup_path(Path::new("/s/plan.ron")),
            PathBuf::from("/s/plan.ron.bak")
        );
    }
}
