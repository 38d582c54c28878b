//! What a run becomes outside the dashboard: text, CSV and JSON (`report`),
//! story text filled with live numbers (`narration`), the report with its
//! charts for slides and documents (`export`, `svg`, `raster`), the
//! self-presenting deck (`deck`) and the Excel workbook (`workbook`). All of
//! them are pure; [`write_export`] is the one place that puts an export on
//! disk, and [`print_out`] and [`warn`] the way text reaches standard output
//! and standard error.

pub mod deck;
pub mod export;
pub mod narration;
pub mod raster;
pub mod report;
pub mod svg;
pub mod workbook;

use crate::document::CliError;
use crate::sim::{self, Scenario};
use export::ExportFormat;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes the export files of `sc` into `dir`; returns the paths written.
pub fn write_export(
    sc: &Scenario,
    dir: &Path,
    cmp: svg::Comparison,
    format: ExportFormat,
) -> Result<Vec<PathBuf>, CliError> {
    let run = sim::simulate(sc);
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::Input(format!("{}: cannot create folder: {e}", dir.display())))?;
    let files: Vec<(PathBuf, Vec<u8>)> = export::export(sc, &run, cmp, format)
        .into_iter()
        .map(|(name, bytes)| (dir.join(name), bytes))
        .collect();
    // All files are synced together, then renamed into place.
    crate::document::save::write_documents(&files)
        .map_err(|e| CliError::Input(format!("{}: cannot write the export: {e}", dir.display())))?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Writes `text` to standard output. A closed pipe (`| head`) is not an
/// error worth reporting; any other failure (a full disk behind `>`) is.
pub fn print_out(text: &str) -> Result<(), CliError> {
    let mut o = std::io::stdout().lock();
    match o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Input(format!("cannot write to standard output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Writes a line to standard error, made safe for a terminal. A failure
/// (a full disk behind `2>`) is ignored: there is nowhere left to report it.
pub fn warn(line: &str) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "{}", crate::document::clean::for_terminal(line));
}
