//! The seed's four alerts as pure rules over what the watch measured; the Prometheus rules
//! file (`ops/prometheus/icattle-alerts.yml`) states the same thresholds.
use app::model::{AlertRule, AlertState, ViewName};
use std::collections::{BTreeMap, VecDeque};

/// A view further behind the log than this fires `CONSUMER_LAG`.
pub const LAG_LIMIT_SECONDS: f64 = 10.0;
/// A share of failed events above this, over the window, fires `PROCESSING_ERRORS`.
pub const ERROR_LIMIT: f64 = 0.01;
/// How far back the share of failed events is counted.
pub const ERROR_WINDOW_SECONDS: f64 = 300.0;
/// A replica further behind than this fires `DATABASE_REPLICATION_LAG`.
pub const REPLICATION_LIMIT_SECONDS: f64 = 5.0;

/// What one view did within the error window, and how far behind it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewReading {
    /// The view.
    pub view: ViewName,
    /// Its largest lag over its partitions.
    pub lag_seconds: f64,
    /// Messages it handled in the window.
    pub processed: u64,
    /// Of those, failed.
    pub failed: u64,
}

/// Everything the rules look at.
#[derive(Debug, Clone, PartialEq)]
pub struct Observations {
    /// Whether the log can be written, and if not, why.
    pub log: Result<(), String>,
    /// Each view running in this instance.
    pub views: Vec<ViewReading>,
    /// The largest replica lag in seconds, when the database reports one.
    pub replication_lag: Option<f64>,
}

/// One rule's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The rule.
    pub rule: AlertRule,
    /// Whether it fires.
    pub state: AlertState,
    /// What was measured, in words.
    pub summary: String,
}

fn verdict(rule: AlertRule, firing: bool, summary: String) -> Verdict {
    let state = if firing {
        AlertState::Firing
    } else {
        AlertState::Ok
    };
    Verdict {
        rule,
        state,
        summary,
    }
}

/// The four rules' verdicts, in the order of [`AlertRule`].
pub fn evaluate(seen: &Observations) -> Vec<Verdict> {
    vec![
        consumer_lag(&seen.views),
        processing_errors(&seen.views),
        kafka_unavailable(&seen.log),
        replication_lag(seen.replication_lag),
    ]
}

fn consumer_lag(views: &[ViewReading]) -> Verdict {
    let worst = views
        .iter()
        .max_by(|a, b| a.lag_seconds.total_cmp(&b.lag_seconds));
    let summary = match worst {
        Some(view) => format!(
            "{} is {:.1} s behind the log (limit {LAG_LIMIT_SECONDS} s)",
            view.view, view.lag_seconds
        ),
        None => "no view runs in this instance".into(),
    };
    let firing = worst.is_some_and(|view| view.lag_seconds > LAG_LIMIT_SECONDS);
    verdict(AlertRule::ConsumerLag, firing, summary)
}

fn processing_errors(views: &[ViewReading]) -> Verdict {
    let share = |view: &ViewReading| match view.processed {
        0 => 0.0,
        processed => view.failed as f64 / processed as f64,
    };
    let worst = views.iter().max_by(|a, b| share(a).total_cmp(&share(b)));
    let summary = match worst {
        Some(view) => format!(
            "{}: {} of {} events failed in the last {} minutes (limit {} %)",
            view.view,
            view.failed,
            view.processed,
            ERROR_WINDOW_SECONDS / 60.0,
            ERROR_LIMIT * 100.0
        ),
        None => "no view runs in this instance".into(),
    };
    let firing = worst.is_some_and(|view| share(view) > ERROR_LIMIT);
    verdict(AlertRule::ProcessingErrors, firing, summary)
}

fn kafka_unavailable(log: &Result<(), String>) -> Verdict {
    match log {
        Ok(()) => verdict(
            AlertRule::KafkaUnavailable,
            false,
            "the broker answers and every partition of the log has a leader".into(),
        ),
        Err(why) => verdict(AlertRule::KafkaUnavailable, true, why.clone()),
    }
}

fn replication_lag(lag: Option<f64>) -> Verdict {
    match lag {
        Some(seconds) => verdict(
            AlertRule::DatabaseReplicationLag,
            seconds > REPLICATION_LIMIT_SECONDS,
            format!(
                "the furthest replica is {seconds:.1} s behind (limit {REPLICATION_LIMIT_SECONDS} s)"
            ),
        ),
        None => Verdict {
            rule: AlertRule::DatabaseReplicationLag,
            state: AlertState::NotReported,
            summary: "the database reports no replicas".into(),
        },
    }
}

/// Each view's running counts, sampled over time, so a window's share of failures can be
/// told apart from the process's whole life.
#[derive(Debug, Clone, Default)]
pub struct ErrorWindow {
    samples: BTreeMap<ViewName, VecDeque<(f64, u64, u64)>>,
}

impl ErrorWindow {
    /// At `at`, `view` had handled `processed` messages, `failed` of them failed; answers
    /// what it handled and failed within the window ending now.
    pub fn sample(&mut self, view: ViewName, at: f64, processed: u64, failed: u64) -> (u64, u64) {
        let samples = self.samples.entry(view).or_default();
        samples.push_back((at, processed, failed));
        while samples
            .get(1)
            .is_some_and(|(then, _, _)| at - then >= ERROR_WINDOW_SECONDS)
        {
            samples.pop_front();
        }
        let (_, first_processed, first_failed) = samples.front().copied().unwrap_or_default();
        (
            processed.saturating_sub(first_processed),
            failed.saturating_sub(first_failed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(lag_seconds: f64, processed: u64, failed: u64) -> ViewReading {
        ViewReading {
            view: ViewName::GoldenRecord,
            lag_seconds,
            processed,
            failed,
        }
    }

    fn states(seen: &Observations) -> Vec<AlertState> {
        evaluate(seen).into_iter().map(|v| v.state).collect()
    }

    #[test]
    fn a_healthy_registry_fires_nothing() {
        let seen = Observations {
            log: Ok(()),
            views: vec![reading(0.5, 1000, 10)],
            replication_lag: Some(1.0),
        };
        assert_eq!(states(&seen), vec![AlertState::Ok; 4]);
    }

    #[test]
    fn each_rule_fires_past_its_limit() {
        let seen = Observations {
            log: Err("the broker does not answer".into()),
            views: vec![reading(10.5, 1000, 11)],
            replication_lag: Some(6.0),
        };
        assert_eq!(states(&seen), vec![AlertState::Firing; 4]);
        assert_eq!(evaluate(&seen)[2].summary, "the broker does not answer");
    }

    #[test]
    fn a_database_without_replicas_reports_nothing() {
        let seen = Observations {
            log: Ok(()),
            views: vec![],
            replication_lag: None,
        };
        assert_eq!(evaluate(&seen)[3].state, AlertState::NotReported);
    }

    #[test]
    fn the_window_forgets_old_failures() {
        let mut window = ErrorWindow::default();
        let view = ViewName::FraudView;
        assert_eq!(window.sample(view, 0.0, 100, 50), (0, 0));
        assert_eq!(window.sample(view, 100.0, 200, 60), (100, 10));
        assert_eq!(window.sample(view, 400.0, 300, 60), (100, 0));
    }
}
