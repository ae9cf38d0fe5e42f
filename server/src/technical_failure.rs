//! A technical failure as people see it: a short sentence and the advice to try again. The
//! details go to the log, with what was being done; nothing the user sent is lost.
use app::model::CommandFailure;

/// Logs `error` under `what` and answers the short message a user sees.
pub fn unavailable(what: &str, error: impl std::fmt::Display) -> CommandFailure {
    tracing::error!(%error, "{what}");
    CommandFailure::Unavailable {
        message: format!("{what}; please try again"),
    }
}
