//! What a seeded herd is: stations (farmers and their properties) and each animal's life
//! as the commands its owner and the assessor would send, drawn from a seeded generator so
//! the same numbers make the same herd.
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// Breeds of Australian herds, most common first.
const BREEDS: [&str; 10] = [
    "Angus",
    "Hereford",
    "Brahman",
    "Droughtmaster",
    "Murray Grey",
    "Shorthorn",
    "Santa Gertrudis",
    "Charolais",
    "Wagyu",
    "Limousin",
];

/// Station names, combined with a number.
const STATIONS: [&str; 8] = [
    "Wattle Creek",
    "Red Gum Flat",
    "Brigalow Downs",
    "Coolabah Plains",
    "Mulga Springs",
    "Ironbark Ridge",
    "Saltbush Park",
    "Yarran Vale",
];

/// One property (a client) of a farmer.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// Its name.
    pub name: String,
    /// Its PIC.
    pub pic: String,
    /// Where its yards are.
    pub latitude: f64,
    /// Where its yards are.
    pub longitude: f64,
}

/// Who sends a command of an animal's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The farmer at this index.
    Farmer(usize),
    /// The assessor.
    Assessor,
}

/// One command of an animal's life.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Who sends it.
    pub sender: Sender,
    /// The command, its `cattleId` filled in when sent.
    pub command: Value,
    /// Whether the next step needs the golden record to hold this one (an offer the
    /// receiving farmer answers).
    pub wait_applied: bool,
}

/// The herd's properties: `farmers` farmers with `per_farmer` properties each.
pub fn properties(farmers: usize, per_farmer: usize, run: &str) -> Vec<Vec<Property>> {
    let mut rng = SmallRng::seed_from_u64(farmers as u64);
    (0..farmers)
        .map(|farmer| {
            (0..per_farmer)
                .map(|n| {
                    let index = farmer * per_farmer + n;
                    Property {
                        name: format!("{} {}", STATIONS[index % STATIONS.len()], index + 1),
                        pic: format!("Q{run}{index:03}"),
                        latitude: rng.random_range(-35.0..-19.0),
                        longitude: rng.random_range(139.0..152.0),
                    }
                })
                .collect()
        })
        .collect()
}

/// The NLIS id of animal `n` of run `run` (16 upper-case letters or digits).
pub fn nlis(run: &str, n: usize) -> String {
    format!("S{run}{n:011}")
}

impl Step {
    fn by(sender: Sender, command: Value) -> Self {
        Self {
            sender,
            command,
            wait_applied: false,
        }
    }
}

/// Animal `n`'s life: registered on a property of its farmer, vaccinated, weighed, moved,
/// most valued and checked by the assessor, some treated, some sold to the farmer's other
/// property or offered to another farmer who accepts.
pub fn life(n: usize, run: &str, stations: &[Vec<Property>]) -> (usize, Vec<Step>) {
    let mut rng = SmallRng::seed_from_u64(n as u64 ^ 0x5eed);
    let farmer = n % stations.len();
    let home = &stations[farmer][rng.random_range(0..stations[farmer].len())];
    let weight: f64 = rng.random_range(180.0..650.0_f64).round();
    let mut steps: Vec<Step> = first_days(&mut rng, &nlis(run, n), home, weight)
        .into_iter()
        .map(|command| Step::by(Sender::Farmer(farmer), command))
        .collect();
    steps.extend(assessment(&mut rng, n, weight));
    if rng.random_bool(0.3) {
        let (kind, notes) = if rng.random_bool(0.5) {
            ("TREATMENT", "drenched for worms")
        } else {
            ("INSPECTION", "vet check, sound")
        };
        steps.push(Step::by(
            Sender::Farmer(farmer),
            json!({"type": "RECORD_HEALTH", "data": {"kind": kind, "notes": notes}}),
        ));
    }
    steps.extend(sale(&mut rng, farmer, home, stations));
    (farmer, steps)
}

/// The farmer's first commands: the registration, a vaccination, a weighing and a fix
/// near the yards.
fn first_days(rng: &mut SmallRng, nlis_id: &str, home: &Property, weight: f64) -> Vec<Value> {
    let sex = if rng.random_bool(0.6) {
        "FEMALE"
    } else {
        "MALE"
    };
    let born = format!(
        "{}-{:02}-{:02}",
        rng.random_range(2019..=2025),
        rng.random_range(1..=12),
        rng.random_range(1..=28)
    );
    // The smaller of two draws: the first breeds of the list are the common ones.
    let breed = BREEDS[rng
        .random_range(0..BREEDS.len())
        .min(rng.random_range(0..BREEDS.len()))];
    vec![
        json!({"type": "CREATE_CATTLE", "data": {"nlisId": nlis_id, "breed": breed,
            "sex": sex, "clientId": client_id(home), "birthDate": born}}),
        json!({"type": "RECORD_HEALTH", "data": {"kind": "VACCINATION",
            "notes": "7-in-1 at marking"}}),
        json!({"type": "RECORD_HEALTH", "data": {"kind": "WEIGHING",
            "notes": "yard weighing", "weightKg": weight}}),
        json!({"type": "RECORD_LOCATION", "data": {
            "latitude": home.latitude + rng.random_range(-0.05..0.05),
            "longitude": home.longitude + rng.random_range(-0.05..0.05), "pic": home.pic}}),
    ]
}

/// What the assessor sends: most animals valued, and checked on the ground (their tag
/// read, a fix, a photo, now and then a DNA sample); the rest keep the provenance of
/// their registration alone.
fn assessment(rng: &mut SmallRng, n: usize, weight: f64) -> Vec<Step> {
    let mut steps = Vec::new();
    if rng.random_bool(0.7) {
        let (method, cents) = if rng.random_bool(0.5) {
            (
                "WEIGHT_BASED",
                (weight * rng.random_range(320.0..420.0)) as i64,
            )
        } else {
            ("MARKET", rng.random_range(90_000..350_000))
        };
        steps.push(Step::by(
            Sender::Assessor,
            json!({"type": "RECORD_VALUATION", "data": {"amountCents": cents, "method": method}}),
        ));
    }
    for (kind, share) in [("NLIS", 0.8), ("GPS", 0.5), ("PHOTO", 0.4), ("DNA", 0.05)] {
        if rng.random_bool(share) {
            steps.push(Step::by(
                Sender::Assessor,
                json!({"type": "ADD_VERIFICATION", "data": {"kind": kind,
                    "reference": format!("{} check {}", kind.to_lowercase(), n + 1)}}),
            ));
        }
    }
    steps
}

/// One animal in ten sold to the farmer's other property; one in twenty-five offered to
/// another farmer, who accepts once the golden record holds the offer.
fn sale(
    rng: &mut SmallRng,
    farmer: usize,
    home: &Property,
    stations: &[Vec<Property>],
) -> Vec<Step> {
    let roll: f64 = rng.random_range(0.0..1.0);
    let price = rng.random_range(100_000..300_000);
    let own = &stations[farmer];
    if roll < 0.1 && own.len() > 1 {
        let other = own.iter().find(|p| p.pic != home.pic).unwrap_or(home);
        return vec![Step::by(
            Sender::Farmer(farmer),
            json!({"type": "TRANSFER_OWNERSHIP", "data": {
                "toClientId": client_id(other), "priceCents": price}}),
        )];
    }
    if roll < 0.14 && stations.len() > 1 {
        let buyer = (farmer + 1 + rng.random_range(0..stations.len() - 1)) % stations.len();
        let offer = json!({"type": "TRANSFER_OWNERSHIP", "data": {
            "toClientId": client_id(&stations[buyer][0]), "priceCents": price}});
        return vec![
            Step {
                wait_applied: true,
                ..Step::by(Sender::Farmer(farmer), offer)
            },
            Step::by(
                Sender::Farmer(buyer),
                json!({"type": "ACCEPT_TRANSFER", "data": {}}),
            ),
        ];
    }
    Vec::new()
}

/// The client id a property's registration gets (derived from its PIC).
pub fn client_id(property: &Property) -> i64 {
    domain::RegisterClient {
        client_id: None,
        name: property.name.clone(),
        pic: property.pic.clone(),
    }
    .resolved_client_id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_planned_command_is_valid() {
        let stations = properties(3, 2, "AB12");
        for farm in &stations {
            for property in farm {
                assert!(domain::is_valid_pic(&property.pic), "{}", property.pic);
            }
        }
        let mut kinds = std::collections::BTreeSet::new();
        for n in 0..400 {
            let (farmer, steps) = life(n, "AB12", &stations);
            assert_eq!(farmer, n % 3);
            for step in steps {
                let mut command = step.command.clone();
                if command["type"] != "CREATE_CATTLE" {
                    command["data"]["cattleId"] = json!(7);
                }
                let parsed = domain::Command::parse_valid(&command)
                    .unwrap_or_else(|errors| panic!("{command}: {errors:?}"));
                kinds.insert(parsed.command_type().as_str());
            }
        }
        for kind in [
            "CREATE_CATTLE",
            "RECORD_VALUATION",
            "ADD_VERIFICATION",
            "TRANSFER_OWNERSHIP",
            "ACCEPT_TRANSFER",
        ] {
            assert!(kinds.contains(kind), "{kind} never planned: {kinds:?}");
        }
    }

    #[test]
    fn the_same_numbers_make_the_same_herd() {
        let stations = properties(4, 2, "ZZ99");
        assert_eq!(life(17, "ZZ99", &stations), life(17, "ZZ99", &stations));
        assert_eq!(nlis("ZZ99", 17).len(), 16);
    }
}
