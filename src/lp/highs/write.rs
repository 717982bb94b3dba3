//! Writing a [`LinearModel`] as MPS or CPLEX LP with HiGHS's writer.

use super::to_highs;
use crate::lp::{LinearModel, LpError};
use std::ffi::CString;

/// Writes `model` in MPS (`.mps`) or CPLEX LP (`.lp`) format, chosen by extension, using
/// HiGHS's writer. Runs on a fresh thread for the same reason as solves.
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
    let path = path.to_path_buf();
    std::thread::spawn(move || write_on_this_thread(&model, &path))
        .join()
        .map_err(|_| LpError::Write("the writer thread panicked".into()))?
}

fn write_on_this_thread(model: &LinearModel, path: &std::path::Path) -> Result<(), LpError> {
    let mut highs_model = to_highs(model)?;
    let cstring = |s: &str| {
        CString::new(s.replace(char::is_whitespace, "_"))
            .map_err(|_| LpError::Write(format!("name {s:?} contains a NUL byte")))
    };
    let file = cstring(&path.to_string_lossy())?;
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
