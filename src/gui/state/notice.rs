//! The notice bar's message: errors stay until replaced, information fades.

use super::AppState;
use eframe::egui;
use std::time::{Duration, Instant};

/// How long an information notice stays up.
const INFO_NOTICE_TIME: Duration = Duration::from_secs(8);

/// Error or information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Stays until dismissed or replaced.
    Error,
    /// Fades after a few seconds.
    Info,
}

/// A one-line message in the notice bar.
#[derive(Debug, Clone)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// Error or information.
    pub kind: NoticeKind,
    /// When it was posted.
    pub at: Instant,
}

impl AppState {
    /// Posts an error to the notice bar (control characters quoted from a file escaped).
    pub fn error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: reluscope::formats::printable(&text.into()),
            kind: NoticeKind::Error,
            at: Instant::now(),
        });
    }

    /// Posts information to the notice bar.
    pub fn info(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            kind: NoticeKind::Info,
            at: Instant::now(),
        });
    }

    /// Drops an information notice once it has been up long enough, and otherwise asks for a
    /// repaint when it is due to go.
    pub(super) fn expire_notice(&mut self, ctx: &egui::Context) {
        if let Some(n) = &self.notice
            && n.kind == NoticeKind::Info
        {
            let left = INFO_NOTICE_TIME.saturating_sub(n.at.elapsed());
            if left.is_zero() {
                self.notice = None;
            } else {
                ctx.request_repaint_after(left);
            }
        }
    }
}
