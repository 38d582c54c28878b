//! Where cloudstrat keeps things on this machine, and the config file that
//! says what the dashboard starts with.
//!
//! - The config file is `config.ron` in the OS config folder
//!   (`$XDG_CONFIG_HOME/cloudstrat`, else `~/.config/cloudstrat`; on Windows
//!   the roaming AppData folder), or in `$CLOUDSTRAT_CONFIG_DIR`. It may set
//!   the default `theme`, the `saves_dir` and the default `scenario`; every
//!   field is optional.
//! - Autosaves go to `autosave/` in the OS state folder
//!   (`$XDG_STATE_HOME/cloudstrat`, else `~/.local/state/cloudstrat`), or in
//!   `$CLOUDSTRAT_STATE_DIR`, so unsaved work is offered back wherever the
//!   dashboard starts next.
//! - Speaker notes go to the user's runtime folder (`document::notes`).
//!
//! What wins: `--theme`, `--saves-dir` and a SCENARIO argument over
//! `$CLOUDSTRAT_SAVES`, over the config file, over the built-in defaults.
//! A broken config file is reported with its line and column, and the
//! dashboard starts on the defaults.
//!
//! Every folder comes from [`Places::with`], which reads the environment
//! through a function, so tests pass folders of their own and never touch
//! the real user's home.

use serde::Deserialize;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

/// Environment variable naming the folder of `config.ron`.
pub const CONFIG_DIR_ENV: &str = "CLOUDSTRAT_CONFIG_DIR";
/// Environment variable naming the folder autosaves go to (as is, no `autosave/` added).
pub const STATE_DIR_ENV: &str = "CLOUDSTRAT_STATE_DIR";
/// The config file's name.
pub const CONFIG_FILE: &str = "config.ron";
/// Largest config file read.
pub const MAX_CONFIG_BYTES: u64 = 64 * 1024;

/// The folders cloudstrat uses, as this machine and environment name them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Places {
    /// The config file (`None` when there is no home folder to find it in).
    pub config_file: Option<PathBuf>,
    /// Where autosaves go (`None`: in the saves folder, as before).
    pub autosave_dir: Option<PathBuf>,
    /// The user's home, for `~/` in the config file.
    pub home: Option<PathBuf>,
}

impl Places {
    /// The places of this process's environment.
    pub fn from_env() -> Places {
        Places::with(|k| std::env::var_os(k))
    }

    /// The places when environment variable `k` is `var(k)`. The OS folders
    /// are asked for only when no override names the folder.
    pub fn with(var: impl Fn(&str) -> Option<OsString>) -> Places {
        use etcetera::BaseStrategy;
        let set = |k: &str| var(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let config_override = set(CONFIG_DIR_ENV);
        let state_override = set(STATE_DIR_ENV);
        let os = || etcetera::choose_base_strategy().ok();
        let config_dir = config_override.or_else(|| os().map(|b| b.config_dir().join("cloudstrat")));
        let autosave_dir = state_override.or_else(|| {
            os().and_then(|b| b.state_dir())
                .map(|d| d.join("cloudstrat").join("autosave"))
        });
        let home = set("HOME").or_else(|| etcetera::home_dir().ok());
        Places {
            config_file: config_dir.map(|d| d.join(CONFIG_FILE)),
            autosave_dir,
            home,
        }
    }
}

/// What the config file may say. Every field is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The theme the dashboard starts in: `dark`, `light`, `projector` or a theme file.
    pub theme: Option<String>,
    /// The saves folder; `~/` is the home folder, and a relative path is
    /// relative to the config file's folder.
    pub saves_dir: Option<String>,
    /// The strategy file or preset the dashboard opens without an argument.
    pub scenario: Option<String>,
}

/// A config file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Io {
        file: PathBuf,
        message: String,
    },
    Syntax {
        file: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::document::clean::{for_message, for_terminal};
        match self {
            ConfigError::Io { file, message } => {
                write!(
                    f,
                    "{}: {}",
                    for_terminal(&file.display().to_string()),
                    for_message(message)
                )
            }
            ConfigError::Syntax {
                file,
                line,
                col,
                message,
            } => write!(
                f,
                "{}:{line}:{col}: {}",
                for_terminal(&file.display().to_string()),
                for_message(message)
            ),
        }
    }
}

/// Parses a config file's text; `file` names it in errors.
pub fn parse_config(text: &str, file: &Path) -> Result<Config, ConfigError> {
    let options = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    options.from_str(text).map_err(|e| {
        let message = match &e.code {
            ron::Error::NoSuchStructField { expected, found, .. } => format!(
                "unknown setting `{found}`{}; the settings are {}",
                crate::suggest::did_you_mean(found, expected.iter().copied()),
                expected.join(", ")
            ),
            // Short: it has to fit the dashboard's status line with the place.
            ron::Error::ExpectedString => named_field(text, e.span.start.line, e.span.start.col, "quote it".into()),
            other => named_field(text, e.span.start.line, e.span.start.col, other.to_string()),
        };
        ConfigError::Syntax {
            file: file.to_path_buf(),
            line: e.span.start.line,
            col: e.span.start.col,
            message,
        }
    })
}

/// The name of the field whose value starts at `line`:`col` (1-based) of
/// `text`, when it is written `name: value` on that line.
pub fn field_before(text: &str, line: usize, col: usize) -> Option<String> {
    let l = text.lines().nth(line.checked_sub(1)?)?;
    let before: String = l.chars().take(col.saturating_sub(1)).collect();
    let before = before.trim_end().strip_suffix(':')?.trim_end();
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i)?;
    Some(before[start..].to_string())
}

/// `message` after the name of the field at `line`:`col`, when there is one.
pub fn named_field(text: &str, line: usize, col: usize, message: String) -> String {
    match field_before(text, line, col) {
        Some(field) => format!("{field}: {message}"),
        None => message,
    }
}

/// Reads the config file: `Ok(None)` when there is none.
pub fn load_config(file: &Path) -> Result<Option<Config>, ConfigError> {
    let io = |message: String| ConfigError::Io {
        file: file.to_path_buf(),
        message,
    };
    if std::fs::symlink_metadata(file).is_err() {
        return Ok(None);
    }
    let bytes = crate::document::save::read_regular(file, MAX_CONFIG_BYTES, true).map_err(|e| match e {
        crate::document::save::ReadError::TooLarge(n) => io(format!(
            "is {n} bytes; a config file may be at most {MAX_CONFIG_BYTES} bytes"
        )),
        e => io(e.to_string()),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| io("is not UTF-8 text".into()))?;
    parse_config(&text, file).map(Some)
}

/// What the dashboard starts with, once flags, environment and config file are weighed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub scenario: String,
    pub theme: Option<String>,
    pub saves_dir: PathBuf,
    /// Where autosaves go; `None`: the saves folder's `.autosave/`.
    pub autosave_dir: Option<PathBuf>,
    /// Said before the dashboard starts and in its status line: a config file that was not used.
    pub warning: Option<String>,
}

/// The command line's choices; `None` where the user gave none.
#[derive(Debug, Clone, Copy, Default)]
pub struct Asked<'a> {
    pub scenario: Option<&'a str>,
    pub theme: Option<&'a str>,
    pub saves_dir: Option<&'a Path>,
    /// `$CLOUDSTRAT_SAVES`.
    pub saves_env: Option<&'a std::ffi::OsStr>,
}

/// Flags win over the environment, which wins over the config file, which
/// wins over the built-in defaults. A broken config file counts as none,
/// with a warning.
pub fn settle(asked: Asked, places: &Places) -> Settings {
    let (config, warning) = match places.config_file.as_deref().map(load_config) {
        None | Some(Ok(None)) => (Config::default(), None),
        Some(Ok(Some(c))) => (c, None),
        Some(Err(e)) => (
            Config::default(),
            Some(format!("{e}; config file not used, starting on the defaults")),
        ),
    };
    let from_config = config.saves_dir.as_deref().map(|d| expand(d, places));
    let saves_dir = match (asked.saves_dir, asked.saves_env.filter(|e| !e.is_empty())) {
        (Some(flag), _) => flag.to_path_buf(),
        (None, Some(env)) => PathBuf::from(env),
        (None, None) => from_config.unwrap_or_else(|| PathBuf::from("saves")),
    };
    Settings {
        scenario: asked
            .scenario
            .map(str::to_string)
            .or(config.scenario)
            .unwrap_or_else(|| "default".into()),
        theme: asked.theme.map(str::to_string).or(config.theme),
        saves_dir,
        autosave_dir: places.autosave_dir.clone(),
        warning,
    }
}

/// `text` with the home folder written `~`, for the status line's few columns.
pub fn with_tilde(text: &str, places: &Places) -> String {
    match places.home.as_ref().map(|h| h.display().to_string()) {
        Some(home) if home.len() > 1 => text.replace(&format!("{home}/"), "~/"),
        _ => text.to_string(),
    }
}

/// A folder named in the config file: `~/…` in the home folder, a relative
/// path beside the config file.
fn expand(dir: &str, places: &Places) -> PathBuf {
    if let (Some(rest), Some(home)) = (dir.strip_prefix("~/"), places.home.as_ref()) {
        return home.join(rest);
    }
    let path = PathBuf::from(dir);
    match places.config_file.as_ref().and_then(|f| f.parent()) {
        Some(base) if path.is_relative() => base.join(path),
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(dir: &Path) -> Places {
        let cfg = dir.join("config");
        let state = dir.join("state");
        let home = dir.join("home");
        Places::with(move |k| match k {
            CONFIG_DIR_ENV => Some(cfg.clone().into()),
            STATE_DIR_ENV => Some(state.clone().into()),
            "HOME" => Some(home.clone().into()),
            _ => None,
        })
    }

    #[test]
    fn overrides_name_the_folders() {
        let p = places(Path::new("/t"));
        assert_eq!(p.config_file, Some(PathBuf::from("/t/config/config.ron")));
        assert_eq!(p.autosave_dir, Some(PathBuf::from("/t/state")));
        assert_eq!(p.home, Some(PathBuf::from("/t/home")));
    }

    #[test]
    fn a_missing_config_file_means_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let s = settle(Asked::default(), &places(dir.path()));
        assert_eq!(s.scenario, "default");
        assert_eq!(s.theme, None);
        assert_eq!(s.saves_dir, PathBuf::from("saves"));
        assert_eq!(s.autosave_dir, Some(dir.path().join("state")));
        assert_eq!(s.warning, None);
    }

    #[test]
    fn the_config_file_names_home_and_relative_folders() {
        let p = places(Path::new("/t"));
        assert_eq!(expand("~/plans", &p), PathBuf::from("/t/home/plans"));
        assert_eq!(expand("plans", &p), PathBuf::from("/t/config/plans"));
        assert_eq!(expand("/abs/plans", &p), PathBuf::from("/abs/plans"));
    }

    #[test]
    fn the_home_folder_is_a_tilde() {
        let p = places(Path::new("/t"));
        assert_eq!(with_tilde("/t/home/.config/c.ron:1:2: x", &p), "~/.config/c.ron:1:2: x");
        assert_eq!(with_tilde("/elsewhere/c.ron", &p), "/elsewhere/c.ron");
    }

    #[test]
    fn unknown_settings_are_named_with_the_nearest() {
        let e = parse_config("(\n  them: \"light\",\n)", Path::new("c.ron")).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("c.ron:2:3: unknown setting `them`; did you mean `theme`?"),
            "{text}"
        );
    }
}
