//! Writing a [`LinearModel`] as MPS or CPLEX LP with HiGHS's writer.

use super::to_highs;
use crate::lp::{LinearModel, LpError};
use std::ffi::CString;

/// Writes `model` in MPS (`.mps`) or CPLEX LP (`.lp`) format, chosen by extension, using
/// HiGHS's writer. Runs on a fresh thread for the same reason as solves.
///
/// HiGHS writes to a temporary file first and does not report failed writes, so the text is
/// then copied to `path` by Rust, whose errors (missing directory, full disk, permissions)
/// name the path and the cause.
pub fn write_model(model: &LinearModel, path: &std::path::Path) -> Result<(), LpError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("mps" | "lp")) {
        return Err(LpError::Write(format!(
            "{}: unknown model format (use .mps or .lp)",
            path.display()
        )));
    }
    let model = model.clone();
    let scratch_dir = scratch_dir()?;
    let scratch = scratch_dir.join(format!("model.{}", ext.as_deref().unwrap_or("mps")));
    let written = {
        let scratch = scratch.clone();
        std::thread::spawn(move || write_on_this_thread(&model, &scratch))
            .join()
            .map_err(|_| LpError::Write("the writer thread panicked".into()))?
    };
    let copied = written.and_then(|()| {
        let text = std::fs::read(&scratch)
            .map_err(|e| LpError::Write(format!("HiGHS did not write the model ({e})")))?;
        std::fs::write(path, text).map_err(|e| LpError::Write(format!("{}: {e}", path.display())))
    });
    // Nothing to report if the scratch files are already gone.
    let _ = std::fs::remove_dir_all(&scratch_dir);
    copied
}

/// A fresh directory of our own in the temporary directory: `create_dir` fails rather than
/// follow anything that already has the name, so HiGHS never writes through someone else's
/// link.
fn scratch_dir() -> Result<std::path::PathBuf, LpError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    for _ in 0..100 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = base.join(format!(
            "reluscope-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(LpError::Write(format!(
                    "cannot make a scratch directory in {}: {e}",
                    base.display()
                )));
            }
        }
    }
    Err(LpError::Write(format!(
        "cannot make a scratch directory in {}",
        base.display()
    )))
}

fn write_on_this_thread(model: &LinearModel, path: &std::path::Path) -> Result<(), LpError> {
    let mut highs_model = to_highs(model)?;
    let cstring = |s: &str| {
        CString::new(s.replace(char::is_whitespace, "_"))
            .map_err(|_| LpError::Write(format!("name {s:?} contains a NUL byte")))
    };
    // Names lose their whitespace (MPS cannot hold it); the file path is taken as it is.
    let file = CString::new(path.to_string_lossy().as_bytes())
        .map_err(|_| LpError::Write(format!("{}: the path contains a NUL byte", path.display())))?;
    let ptr = highs_model.as_mut_ptr();
    // SAFETY: valid instance pointer; indices are in range; strings are NUL-terminated and
    // outlive each call.
    unsafe {
        for (j, name) in model.col_names.iter().enumerate() {
            let name = cstring(name)?;
            highs_sys::Highs_passColName(ptr, j as highs_sys::HighsInt, name.as_ptr());
        }
        for (r, name) in model.row_names.iter().enumerate() {
            let name = cstring(name)?;
            highs_sys::Highs_passRowName(ptr, r as highs_sys::HighsInt, name.as_ptr());
        }
        let status = highs_sys::Highs_writeModel(ptr, file.as_ptr());
        if status == highs_sys::kHighsStatusError {
            return Err(LpError::Write(format!(
                "{}: HiGHS could not write the model",
                path.display()
            )));
        }
    }
    Ok(())
}
