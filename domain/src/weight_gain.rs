//! Average daily gain: how fast an animal puts on weight between weighings, the figure a
//! grazier sells and feeds by.
use crate::payloads::HealthRecorded;
use crate::{timestamp_millis, upcast, EventEnvelope, EventPayload, EventType};

const DAY_MS: f64 = 86_400_000.0;

/// One weighing of an animal: when (RFC 3339) and how heavy.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighing {
    /// When it was weighed.
    pub at: String,
    /// Kilograms.
    pub kg: f64,
}

/// The weighing an event records: a health record that carries a weight, at the time it
/// happened. `None` for any other event, or one whose payload does not read.
pub fn weighing_of(envelope: &EventEnvelope) -> Option<Weighing> {
    let m = &envelope.metadata;
    if m.event_type != EventType::HealthRecorded {
        return None;
    }
    let payload = upcast(m.event_type, m.schema_version, &envelope.payload).ok()?;
    let kg = HealthRecorded::from_payload(&payload).ok()?.weight_kg?;
    Some(Weighing {
        at: m.occurred_at.clone(),
        kg,
    })
}

/// Kilograms a day from the earliest weighing to the latest, or `None` when no two
/// weighings lie at least a day apart: a same-day reweigh says nothing about growth.
/// Weighings whose time cannot be read are left out.
pub fn average_daily_gain(weighings: &[Weighing]) -> Option<f64> {
    let mut timed: Vec<(i64, f64)> = weighings
        .iter()
        .filter_map(|w| Some((timestamp_millis(&w.at)?, w.kg)))
        .collect();
    timed.sort_by_key(|(millis, _)| *millis);
    let (first, last) = (timed.first()?, timed.last()?);
    let days = (last.0 - first.0) as f64 / DAY_MS;
    (days >= 1.0).then(|| (last.1 - first.1) / days)
}

/// The mean of the animals' average daily gains, counting only animals weighed at least a
/// day apart: a mob's gain.
pub fn mob_average_daily_gain<'a>(
    animals: impl IntoIterator<Item = &'a [Weighing]>,
) -> Option<f64> {
    let gains: Vec<f64> = animals.into_iter().filter_map(average_daily_gain).collect();
    (!gains.is_empty()).then(|| gains.iter().sum::<f64>() / gains.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn weighed(day: u32, kg: f64) -> Weighing {
        Weighing {
            at: format!("2026-03-{day:02}T08:00:00.000Z"),
            kg,
        }
    }

    #[test]
    fn gain_runs_from_the_earliest_weighing_to_the_latest() {
        let weighings = [weighed(21, 430.0), weighed(1, 400.0), weighed(11, 418.0)];
        assert_eq!(average_daily_gain(&weighings), Some(1.5));
    }

    #[test]
    fn one_weighing_or_one_day_says_nothing() {
        assert_eq!(average_daily_gain(&[]), None);
        assert_eq!(average_daily_gain(&[weighed(1, 400.0)]), None);
        assert_eq!(
            average_daily_gain(&[weighed(1, 400.0), weighed(1, 402.0)]),
            None
        );
        let unreadable = Weighing {
            at: "yesterday".into(),
            kg: 380.0,
        };
        assert_eq!(average_daily_gain(&[unreadable, weighed(5, 400.0)]), None);
    }

    #[test]
    fn a_mob_gains_the_mean_of_its_weighed_animals() {
        let steady = [weighed(1, 400.0), weighed(11, 410.0)];
        let fast = [weighed(1, 300.0), weighed(11, 320.0)];
        let once = [weighed(1, 350.0)];
        let mob: [&[Weighing]; 3] = [&steady, &fast, &once];
        assert_eq!(mob_average_daily_gain(mob), Some(1.5));
        assert_eq!(mob_average_daily_gain([&once[..]]), None);
    }

    proptest! {
        #[test]
        fn steady_growth_gives_its_rate(start in 150.0f64..600.0, rate in -2.0f64..3.0, days in 1u32..27) {
            let weighings = [weighed(1, start), weighed(1 + days, start + rate * f64::from(days))];
            let gain = average_daily_gain(&weighings).expect("a day apart or more");
            prop_assert!((gain - rate).abs() < 1e-9, "{gain} vs {rate}");
        }
    }
}
