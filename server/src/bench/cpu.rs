//! Where a measured phase's CPU went: this process's own time and the whole machine's busy
//! time (the engines run beside it), so a rate reads as CPU per event and as the cores a
//! target rate would take. On two cores, a rate the machine is saturated at cannot be
//! raised by waiting less, only by spending less per event.
use serde::Serialize;
use std::time::{Duration, Instant};

/// The counters at the start of a phase.
pub struct CpuMark {
    at: Instant,
    process: Option<Duration>,
    machine: Option<MachineTicks>,
}

/// The machine's CPU time since boot, in the kernel's ticks, summed over every core.
#[derive(Clone, Copy)]
struct MachineTicks {
    busy: u64,
    total: u64,
}

/// The CPU a phase took.
#[derive(Debug, Clone, Copy)]
pub struct CpuSpent {
    /// Wall-clock seconds of the phase.
    pub seconds: f64,
    /// CPU seconds this process spent (the bench and the iCattle instance it runs).
    pub process_cpu_s: Option<f64>,
    /// CPU seconds every process of the machine spent (PostgreSQL and Kafka included).
    pub machine_cpu_s: Option<f64>,
    /// Cores the machine has.
    pub cores: usize,
}

/// CPU per event of a phase, in microseconds.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct CpuPerEvent {
    /// This process's CPU per event.
    pub process_us: Option<f64>,
    /// The whole machine's CPU per event.
    pub machine_us: Option<f64>,
    /// The share of the machine's cores that was busy.
    pub machine_busy: Option<f64>,
}

/// This process's CPU time so far (user and system), as `getrusage` counts it.
fn process_cpu() -> Option<Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the one `rusage` the pointer points to and reads nothing else.
    let status = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    if status != 0 {
        return None;
    }
    // SAFETY: getrusage answered 0, so it wrote the whole struct (and zeroed is valid too).
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    Some(time(usage.ru_utime) + time(usage.ru_stime))
}

/// The first line of `/proc/stat` (`cpu  user nice system idle iowait irq softirq steal …`)
/// as busy and total ticks. Time stolen by the hypervisor counts as neither: the machine did
/// not have it.
fn machine_ticks(stat: &str) -> Option<MachineTicks> {
    let line = stat.lines().next()?;
    let mut fields = line.split_whitespace();
    if fields.next()? != "cpu" {
        return None;
    }
    let ticks: Vec<u64> = fields
        .take(7)
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let [user, nice, system, idle, iowait, irq, softirq] = ticks.try_into().ok()?;
    let busy = user + nice + system + irq + softirq;
    Some(MachineTicks {
        busy,
        total: busy + idle + iowait,
    })
}

fn read_machine() -> Option<MachineTicks> {
    machine_ticks(&std::fs::read_to_string("/proc/stat").ok()?)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl CpuMark {
    /// Reads the counters now.
    pub fn now() -> Self {
        Self {
            at: Instant::now(),
            process: process_cpu(),
            machine: read_machine(),
        }
    }

    /// The CPU spent since the mark.
    pub fn spent(&self) -> CpuSpent {
        let seconds = self.at.elapsed().as_secs_f64();
        let process_cpu_s = self
            .process
            .zip(process_cpu())
            .map(|(before, after)| after.saturating_sub(before).as_secs_f64());
        let cores = cores();
        let machine_cpu_s = self
            .machine
            .zip(read_machine())
            .and_then(|(before, after)| {
                let total = after.total.checked_sub(before.total)?;
                let busy = after.busy.checked_sub(before.busy)?;
                // Ticks are the kernel's unit; their share of the cores' time is what matters.
                (total > 0).then(|| busy as f64 / total as f64 * seconds * cores as f64)
            });
        CpuSpent {
            seconds,
            process_cpu_s,
            machine_cpu_s,
            cores,
        }
    }
}

impl CpuSpent {
    /// The CPU each of `events` took.
    pub fn per_event(&self, events: u64) -> CpuPerEvent {
        let per = |cpu_s: f64| cpu_s * 1e6 / events.max(1) as f64;
        CpuPerEvent {
            process_us: self.process_cpu_s.map(per),
            machine_us: self.machine_cpu_s.map(per),
            machine_busy: self
                .machine_cpu_s
                .map(|cpu_s| cpu_s / (self.seconds * self.cores as f64).max(f64::EPSILON)),
        }
    }
}

impl CpuPerEvent {
    /// The cores `rate` events a second would keep busy at the machine's CPU per event.
    pub fn cores_for(&self, rate: f64) -> Option<f64> {
        self.machine_us.map(|us| us * rate / 1e6)
    }
}

impl std::fmt::Display for CpuPerEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.process_us, self.machine_us, self.machine_busy) {
            (Some(process), Some(machine), Some(busy)) => write!(
                f,
                "CPU {process:.0} µs/event in iCattle, {machine:.0} µs/event machine-wide \
                 ({:.0} % busy)",
                busy * 100.0
            ),
            (Some(process), _, _) => write!(f, "CPU {process:.0} µs/event in iCattle"),
            _ => write!(f, "CPU not measurable here"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_of_proc_stat_gives_busy_and_total_ticks() {
        let stat = "cpu  100 5 50 800 20 3 2 40 0 0\ncpu0 50 2 25 400 10 1 1 20 0 0\n";
        let ticks = machine_ticks(stat).expect("ticks");
        assert_eq!(ticks.busy, 160);
        assert_eq!(ticks.total, 980);
    }

    #[test]
    fn anything_else_gives_no_ticks() {
        assert!(machine_ticks("").is_none());
        assert!(machine_ticks("intr 1 2 3").is_none());
        assert!(machine_ticks("cpu 1 2 three 4 5 6 7").is_none());
        assert!(machine_ticks("cpu 1 2 3").is_none());
    }

    #[test]
    fn cpu_per_event_and_the_cores_a_rate_takes() {
        let spent = CpuSpent {
            seconds: 10.0,
            process_cpu_s: Some(8.0),
            machine_cpu_s: Some(18.0),
            cores: 2,
        };
        let per = spent.per_event(20_000);
        assert_eq!(per.process_us, Some(400.0));
        assert_eq!(per.machine_us, Some(900.0));
        assert_eq!(per.machine_busy, Some(0.9));
        assert_eq!(per.cores_for(10_000.0), Some(9.0));
        assert!(per
            .to_string()
            .contains("900 µs/event machine-wide (90 % busy)"));
    }

    #[test]
    fn this_process_is_seen_spending_cpu() {
        let mark = CpuMark::now();
        let mut x = 0u64;
        for n in 0..5_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(n));
        }
        let spent = mark.spent();
        assert!(spent.process_cpu_s.is_some_and(|s| s > 0.0), "{spent:?}");
    }
}
