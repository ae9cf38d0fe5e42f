//! A valuation judged against its breed's and herd's robust ranges: creeping inflation is
//! caught, verified stud values and small herds are not, and the ranges shrug off outliers.
use domain::*;
use proptest::prelude::*;
use serde_json::{json, Value};

/// One animal's chain, sealed with a farmer's key.
struct Animal {
    head: ChainHead,
    state: Option<StreamState>,
    day: u64,
    nlis: String,
}

impl Animal {
    fn registered(n: u32, breed: &str, client: i64) -> Self {
        let nlis = format!("PEER{n:012}");
        let mut animal = Animal {
            head: ChainHead::default(),
            state: None,
            day: 0,
            nlis: nlis.clone(),
        };
        animal.accept(&json!({"type": "CREATE_CATTLE", "data": {"nlisId": nlis, "breed": breed, "sex": "FEMALE", "clientId": client}}));
        animal
    }

    fn id(&self) -> i64 {
        CattleId::for_nlis(&self.nlis).0
    }

    fn cattle(&self) -> &CattleState {
        match &self.state {
            Some(StreamState::Cattle(cattle)) => cattle,
            _ => panic!("an animal"),
        }
    }

    fn event(&mut self, wire: &Value) -> EventEnvelope {
        let command = Command::parse_valid(wire).expect("a valid command");
        let state = self.state.as_ref().map(|_| self.cattle());
        let decided = decide(state, &command).expect("decided").remove(0);
        self.day += 1;
        let at = format!(
            "2025-{:02}-{:02}T08:00:00.000Z",
            1 + self.day / 28,
            1 + self.day % 28
        );
        seal(
            EventDraft {
                event_id: format!("evt_{}_{}", self.nlis, self.day),
                event_type: decided.event_type,
                event_ref: decided.event_ref,
                cattle_id: CattleId::for_nlis(&self.nlis),
                occurred_at: at.clone(),
                recorded_at: at,
                correlation_id: None,
                causation_id: None,
                source_system: SourceSystem::ICattle,
                created_by: None,
                payload: decided.payload,
                provenance: None,
            },
            &self.head,
            &SigningKeyPair::from_seed([9; 32]),
        )
    }

    fn accept(&mut self, wire: &Value) {
        let envelope = self.event(wire);
        let folded = fold_verified(&envelope, &self.head, self.state.take(), true).expect("folds");
        self.head = folded.head;
        self.state = Some(folded.state);
    }

    fn valuation(&mut self, cents: i64) -> EventEnvelope {
        let id = self.id();
        self.event(&json!({"type": "RECORD_VALUATION", "data": {"cattleId": id, "amountCents": cents, "method": "MARKET"}}))
    }

    fn value(&mut self, cents: i64) {
        let id = self.id();
        self.accept(&json!({"type": "RECORD_VALUATION", "data": {"cattleId": id, "amountCents": cents, "method": "MARKET"}}));
    }
}

/// `count` Angus of client `client` valued around $2,000, each recorded among the peers.
fn herd(peers: &mut ValuationPeers, from: u32, count: u32, breed: &str, client: i64) {
    for n in from..from + count {
        let mut animal = Animal::registered(n, breed, client);
        animal.value(180_000 + 1_000 * i64::from(n % 40));
        peers.record(animal.cattle());
    }
}

#[test]
fn creeping_inflation_is_caught_where_the_jump_rule_is_not() {
    let mut peers = ValuationPeers::default();
    herd(&mut peers, 0, 60, "Angus", 1);
    let mut animal = Animal::registered(1000, "Angus", 1);
    animal.value(200_000);
    peers.record(animal.cattle());
    // Steps of 45 %, each passing the valuation-jump rule, up to $8,800.
    let mut value = 200_000;
    let mut raised = None;
    while value < 880_000 {
        value = value * 145 / 100;
        let step = animal.valuation(value);
        assert!(
            detect_fraud(animal.cattle(), &step).is_empty(),
            "no jump at {value}"
        );
        raised = raised.or(peers.judge(animal.cattle(), &step));
        animal.value(value);
        peers.record(animal.cattle());
    }
    let found = raised.expect("an outlier");
    assert_eq!(found.suspicion, SuspicionType::ValuationOutlier);
    assert_eq!(found.evidence["breed"]["peers"], 60);
    assert!(found.description.contains("Angus"), "{}", found.description);
}

#[test]
fn an_ordinary_value_two_checks_or_too_few_peers_raise_nothing() {
    let mut peers = ValuationPeers::default();
    herd(&mut peers, 0, 60, "Angus", 1);
    let mut animal = Animal::registered(1000, "Angus", 1);
    let ordinary = animal.valuation(230_000);
    assert_eq!(peers.judge(animal.cattle(), &ordinary), None);

    let id = animal.id();
    for kind in ["NLIS", "DNA"] {
        animal.accept(&json!({"type": "ADD_VERIFICATION", "data": {"cattleId": id, "kind": kind, "reference": "lab"}}));
    }
    let stud = animal.valuation(1_500_000);
    assert_eq!(peers.judge(animal.cattle(), &stud), None, "verified");

    let mut wagyu = Animal::registered(2000, "Wagyu", 1);
    let dear = wagyu.valuation(1_500_000);
    assert_eq!(peers.judge(wagyu.cattle(), &dear), None, "no Wagyu peers");
}

#[test]
fn a_herd_that_values_its_animals_alike_excuses_the_value() {
    let mut peers = ValuationPeers::default();
    herd(&mut peers, 0, 60, "Angus", 1);
    // A stud farm whose Angus are all dear: dear for the breed, ordinary for the herd.
    for n in 100..140 {
        let mut animal = Animal::registered(n, "Angus", 9);
        animal.value(900_000 + 1_000 * i64::from(n % 10));
        peers.record(animal.cattle());
    }
    let mut animal = Animal::registered(1000, "Angus", 9);
    let value = animal.valuation(910_000);
    assert_eq!(peers.judge(animal.cattle(), &value), None);
    let mut stray = Animal::registered(1001, "Angus", 1);
    let value = stray.valuation(910_000);
    assert!(
        peers.judge(stray.cattle(), &value).is_some(),
        "dear for herd 1"
    );
}

#[test]
fn a_sold_or_dead_animal_is_nobodys_peer() {
    let mut peers = ValuationPeers::default();
    let mut animal = Animal::registered(1, "Angus", 1);
    animal.value(200_000);
    peers.record(animal.cattle());
    assert_eq!(peers.len(), 1);
    let id = animal.id();
    animal.accept(&json!({"type": "CHANGE_STATUS", "data": {"cattleId": id, "status": "DECEASED", "reason": "old age"}}));
    peers.record(animal.cattle());
    assert!(peers.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The median and spread of peers lie within their values, and a minority of wild values
    /// (under a fifth) moves neither far.
    #[test]
    fn ranges_are_robust(
        values in prop::collection::vec(100_000i64..300_000, MIN_PEERS..120),
        wild in prop::collection::vec(5_000_000i64..50_000_000, 0..6),
    ) {
        let plain = ValueRange::of(values.iter().map(|v| *v as f64).collect()).expect("a range");
        let (low, high) = (*values.iter().min().unwrap() as f64, *values.iter().max().unwrap() as f64);
        prop_assert!(plain.median >= low && plain.median <= high);
        prop_assert!(plain.spread >= plain.median * MIN_SPREAD_FRACTION);
        let mut all: Vec<f64> = values.iter().map(|v| *v as f64).collect();
        all.extend(wild.iter().map(|v| *v as f64));
        let mixed = ValueRange::of(all).expect("a range");
        prop_assert!(mixed.median <= high, "the median stays among the ordinary values");
        prop_assert!(mixed.spread <= (high - low) * 2.0 + plain.spread);
    }

    /// Recording an animal's state twice, or in any order with others, gives the same peers.
    #[test]
    fn recording_is_idempotent(cents in prop::collection::vec(100_000i64..2_000_000, 1..40)) {
        let mut animals: Vec<Animal> = cents
            .iter()
            .enumerate()
            .map(|(n, cents)| {
                let mut animal = Animal::registered(n as u32, "Angus", 1);
                animal.value(*cents);
                animal
            })
            .collect();
        let mut once = ValuationPeers::default();
        let mut twice = ValuationPeers::default();
        for animal in &animals {
            once.record(animal.cattle());
        }
        for animal in animals.iter().rev().chain(animals.iter()) {
            twice.record(animal.cattle());
        }
        let probe = animals.last_mut().expect("one animal");
        prop_assert_eq!(once.len(), twice.len());
        prop_assert_eq!(once.ranges(probe.cattle()), twice.ranges(probe.cattle()));
    }
}
