//! `deploy/compose.yaml` describes the multi-machine shape; it is documentation, and these
//! tests keep it true: every `icattle` setting it gives is one `icattle --help` lists, with a
//! value that setting takes; the instances share their engines and keys; the instances that
//! run the views share them, and one of them runs the detector and the log's copies; every
//! address names a service of the file; the load balancer sends traffic to
//! the serving instances on the port they listen on.
use object_store::aws::AmazonS3ConfigKey;
use serde_yaml_ng::{Mapping, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

/// What each instance must set: left unset, an instance makes its own database, broker,
/// cache, index, archive or keys, and the instances silently stop being one registry.
const SHARED_ENGINES_AND_KEYS: [&str; 7] = [
    "DATABASE_URL",
    "KAFKA_BROKERS",
    "REDIS_URL",
    "MEILI_URL",
    "AUDIT_URL",
    "ICATTLE_SIGNING_SEED",
    "ICATTLE_MASTER_KEY",
];

/// The only settings that may differ between instances: which of them runs what.
const PER_INSTANCE: [&str; 3] = [
    "ICATTLE_RUN_VIEWS",
    "ICATTLE_FRAUD_DETECTOR",
    "ICATTLE_RUN_LOG_COPIES",
];

fn deploy_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `icattle --help` as a user reads it.
fn icattle_help() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_icattle"))
        .arg("--help")
        .env_clear()
        .output()
        .expect("icattle runs");
    assert!(out.status.success(), "icattle --help: {out:?}");
    String::from_utf8(out.stdout).expect("help is text")
}

/// One option of the help: its environment variable, default and accepted values.
#[derive(Debug, Default)]
struct HelpSetting {
    default: Option<String>,
    possible: Vec<String>,
}

/// The options of `help` by environment variable, read from each option's block.
fn settings_in(help: &str) -> BTreeMap<String, HelpSetting> {
    let mut blocks: Vec<String> = Vec::new();
    for line in help.lines() {
        // An option's first line, not a bullet of its possible values (`- text: …`).
        if line.trim_start().starts_with('-') && line.starts_with("  ") && !line.contains(": ") {
            blocks.push(String::new());
        }
        if let Some(block) = blocks.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    let mut settings = BTreeMap::new();
    for block in blocks {
        let Some(name) = bracketed(&block, "[env: ")
            .map(|env| env.split(['=', ']']).next().unwrap_or_default().to_string())
        else {
            continue;
        };
        let mut possible: Vec<String> = bracketed(&block, "[possible values: ")
            .map(|values| {
                values
                    .trim_end_matches(']')
                    .split(", ")
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        // A value enum with documented values lists them one per line instead.
        if let Some(listed) = block.split("Possible values:").nth(1) {
            possible.extend(listed.lines().filter_map(|line| {
                let item = line.trim().strip_prefix("- ")?;
                Some(item.split(':').next()?.trim().to_string())
            }));
        }
        let default = bracketed(&block, "[default: ").map(|d| d.trim_end_matches(']').into());
        settings.insert(name, HelpSetting { default, possible });
    }
    settings
}

/// The text after `opening` up to and including its `]`.
fn bracketed<'a>(block: &'a str, opening: &str) -> Option<&'a str> {
    let start = block.find(opening)? + opening.len();
    let rest = &block[start..];
    Some(&rest[..=rest.find(']')?])
}

fn compose() -> Mapping {
    let mut file: Value = serde_yaml_ng::from_str(&deploy_file("compose.yaml")).expect("YAML");
    file.apply_merge().expect("merge keys resolve");
    // `<<` merges nest (the environment inside a service), so resolve each level.
    let mut services = file["services"].as_mapping().expect("services").clone();
    for (_, service) in services.iter_mut() {
        service.apply_merge().expect("a service's merge keys");
        if let Some(environment) = service.get_mut("environment") {
            environment
                .apply_merge()
                .expect("an environment's merge keys");
        }
    }
    services
}

fn name(key: &Value) -> String {
    key.as_str().expect("a name").to_string()
}

/// A service's environment as names and values (`KEY: value` or `- KEY=value`).
fn environment(service: &Value) -> BTreeMap<String, String> {
    let scalar = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => panic!("an environment value is a scalar: {other:?}"),
    };
    match service.get("environment") {
        None => BTreeMap::new(),
        Some(Value::Mapping(map)) => map.iter().map(|(k, v)| (name(k), scalar(v))).collect(),
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|item| {
                let (k, v) = item.as_str().and_then(|s| s.split_once('=')).expect("K=V");
                (k.to_string(), v.to_string())
            })
            .collect(),
        Some(other) => panic!("environment is a map or a list: {other:?}"),
    }
}

/// The services built from the project's Dockerfile: the app instances.
fn instances(services: &Mapping) -> BTreeMap<String, BTreeMap<String, String>> {
    services
        .iter()
        .filter(|(_, service)| {
            service["build"]["dockerfile"].as_str() == Some("deploy/Dockerfile")
                || service["image"]
                    .as_str()
                    .is_some_and(|i| i.starts_with("icattle:"))
        })
        .map(|(key, service)| (name(key), environment(service)))
        .collect()
}

/// A setting a service must give.
fn set<'a>(env: &'a BTreeMap<String, String>, key: &str) -> &'a str {
    env.get(key)
        .unwrap_or_else(|| panic!("{key} is unset in {env:?}"))
}

/// Whether a yes-or-no setting is on, an unset one being its default in the help.
fn is_on(env: &BTreeMap<String, String>, key: &str, help: &BTreeMap<String, HelpSetting>) -> bool {
    let default = help.get(key).and_then(|s| s.default.clone());
    env.get(key).cloned().or(default).as_deref() == Some("true")
}

/// The host of `scheme://user:password@host:port/path`, or of `host:port`.
fn host_of(address: &str) -> &str {
    let rest = address.split_once("://").map_or(address, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, rest)| rest);
    rest.split([':', '/']).next().unwrap_or_default()
}

#[test]
fn every_setting_of_the_app_instances_is_one_icattle_help_lists_with_a_value_it_takes() {
    let help = icattle_help();
    let settings = settings_in(&help);
    assert!(
        settings.contains_key("DATABASE_URL") && settings.contains_key("ICATTLE_LISTEN"),
        "the help's settings were read: {:?}",
        settings.keys()
    );
    let instances = instances(&compose());
    assert!(instances.len() >= 3, "instances: {:?}", instances.keys());
    for (instance, env) in &instances {
        for (key, value) in env {
            if let Some(aws) = key.strip_prefix("AWS_") {
                // The archive's S3 client reads these itself; the help says so.
                assert!(
                    help.contains("AWS_"),
                    "icattle --help names the AWS_ variables"
                );
                let parsed: Result<AmazonS3ConfigKey, _> =
                    format!("aws_{}", aws.to_ascii_lowercase()).parse();
                assert!(parsed.is_ok(), "{instance}: {key} is no S3 setting");
                continue;
            }
            let setting = settings
                .get(key)
                .unwrap_or_else(|| panic!("{instance}: {key} is not in icattle --help"));
            if value.contains("${") {
                continue;
            }
            if !setting.possible.is_empty() {
                assert!(
                    setting.possible.contains(value),
                    "{instance}: {key}={value} is none of {:?}",
                    setting.possible
                );
            }
            if let Some(default) = &setting.default {
                if default.parse::<i64>().is_ok() {
                    assert!(
                        value.parse::<i64>().is_ok(),
                        "{instance}: {key}={value} is not a whole number"
                    );
                }
            }
        }
    }
}

#[test]
fn the_instances_share_their_engines_and_keys_and_the_views_and_one_runs_each_copy() {
    let settings = settings_in(&icattle_help());
    let instances = instances(&compose());
    for (instance, env) in &instances {
        for key in SHARED_ENGINES_AND_KEYS {
            assert!(env.contains_key(key), "{instance} leaves {key} unset");
        }
    }
    let keys: BTreeSet<&String> = instances.values().flat_map(|env| env.keys()).collect();
    for key in keys
        .into_iter()
        .filter(|k| !PER_INSTANCE.contains(&k.as_str()))
    {
        let values: BTreeSet<Option<&String>> =
            instances.values().map(|env| env.get(key)).collect();
        assert_eq!(values.len(), 1, "the instances differ on {key}: {values:?}");
    }
    let running_views: Vec<&BTreeMap<String, String>> = instances
        .values()
        .filter(|env| is_on(env, "ICATTLE_RUN_VIEWS", &settings))
        .collect();
    assert!(!running_views.is_empty(), "an instance runs the views");
    if running_views.len() > 1 {
        assert!(
            running_views
                .iter()
                .all(|env| is_on(env, "ICATTLE_SHARE_VIEWS", &settings)),
            "instances running the views share them, or each would apply every event"
        );
    }
    let running = |key: &str| {
        running_views
            .iter()
            .filter(|env| is_on(env, key, &settings))
            .count()
    };
    assert_eq!(
        running("ICATTLE_RUN_LOG_COPIES"),
        1,
        "one instance copies the log (each copy reads every partition)"
    );
    let detecting = running("ICATTLE_FRAUD_DETECTOR");
    assert_eq!(detecting, 1, "one instance runs the fraud detector");
}

#[test]
fn every_address_names_a_service_of_the_file_and_the_cluster_survives_a_broker() {
    let services = compose();
    let instances = instances(&services);
    let env = instances.values().next().expect("an instance");
    let service = |host: &str| {
        services
            .get(host)
            .unwrap_or_else(|| panic!("{host} is no service of compose.yaml"))
    };
    for key in ["DATABASE_URL", "REDIS_URL", "MEILI_URL", "AWS_ENDPOINT"] {
        service(host_of(set(env, key)));
    }
    let brokers: Vec<&str> = set(env, "KAFKA_BROKERS").split(',').collect();
    for broker in &brokers {
        let kafka = environment(service(host_of(broker)));
        assert!(
            set(&kafka, "KAFKA_ADVERTISED_LISTENERS").contains(&format!("://{broker}")),
            "{broker} advertises itself as {}",
            set(&kafka, "KAFKA_ADVERTISED_LISTENERS")
        );
        let voters = set(&kafka, "KAFKA_CONTROLLER_QUORUM_VOTERS")
            .split(',')
            .count();
        assert_eq!(voters, brokers.len(), "{broker}: every broker votes");
        let min_insync: usize = set(&kafka, "KAFKA_MIN_INSYNC_REPLICAS")
            .parse()
            .expect("a count");
        assert!(
            min_insync >= 2,
            "{broker}: an acknowledged write is on two brokers"
        );
    }
    let replication: usize = set(env, "ICATTLE_REPLICATION").parse().expect("a count");
    assert!(replication >= 3, "replication {replication}");
    assert!(
        brokers.len() >= replication,
        "{} brokers cannot hold {replication} copies",
        brokers.len()
    );
}

#[test]
fn the_load_balancer_sends_traffic_to_every_serving_instance_on_its_port() {
    let settings = settings_in(&icattle_help());
    let instances = instances(&compose());
    let caddyfile = deploy_file("Caddyfile");
    let upstreams: BTreeSet<String> = caddyfile
        .lines()
        .filter_map(|line| line.trim().strip_prefix("reverse_proxy "))
        .flat_map(|rest| rest.split_whitespace().take_while(|word| *word != "{"))
        .map(str::to_string)
        .collect();
    let serving: BTreeSet<String> = instances
        .iter()
        .filter(|(_, env)| !is_on(env, "ICATTLE_RUN_VIEWS", &settings))
        .map(|(instance, env)| {
            let listen = set(env, "ICATTLE_LISTEN");
            let port = listen.rsplit(':').next().expect("a port");
            format!("{instance}:{port}")
        })
        .collect();
    assert!(serving.len() >= 2, "serving instances: {serving:?}");
    assert_eq!(upstreams, serving, "the Caddyfile's upstreams");
}

#[test]
fn the_image_runs_a_command_and_settings_icattle_help_lists() {
    let help = icattle_help();
    let settings = settings_in(&help);
    let dockerfile = deploy_file("Dockerfile");
    let command = dockerfile
        .lines()
        .find_map(|line| line.strip_prefix("CMD "))
        .expect("a CMD");
    let command: Vec<String> = serde_json::from_str(command).expect("CMD in exec form");
    let listed = help
        .split("Commands:")
        .nth(1)
        .expect("the help lists its commands");
    assert!(
        listed
            .lines()
            .any(|line| line.split_whitespace().next() == Some(command[0].as_str())),
        "icattle has no command {:?}",
        command[0]
    );
    // The settings the running image starts with: the `ENV` of its last stage.
    let last_stage = dockerfile.rsplit("\nFROM ").next().expect("a stage");
    let mut in_env = false;
    for line in last_stage.lines() {
        let line = line.trim();
        in_env = in_env || line.starts_with("ENV ");
        if in_env {
            let assignment = line
                .trim_start_matches("ENV ")
                .trim_end_matches('\\')
                .trim();
            let key = assignment
                .split_once('=')
                .map_or(assignment, |(key, _)| key);
            if key.starts_with("ICATTLE_") {
                assert!(settings.contains_key(key), "{key} is not in icattle --help");
            }
            in_env = line.ends_with('\\');
        }
    }
}
