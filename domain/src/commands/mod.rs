//! Commands: what users ask for, parsed from outside JSON with field-level errors.

mod add_verification;
mod answer_transfer;
mod assign_mob;
mod change_status;
mod create_cattle;
mod data_reader;
mod field_rules;
mod record_health;
mod record_location;
mod record_valuation;
mod register_client;
mod resolve_fraud_alert;
mod stand_ins;
mod transfer_ownership;

pub use add_verification::AddVerification;
pub use answer_transfer::AnswerTransfer;
pub use assign_mob::{AssignMob, MOB_NAME_MAX};
pub use change_status::ChangeStatus;
pub use create_cattle::CreateCattle;
pub use field_rules::{
    is_valid_nlis_id, is_valid_pic, MAX_NOTES_CHARS, MAX_PRICE_CENTS, MAX_WEIGHT_KG,
};
pub use record_health::{RecordHealth, MAX_WITHHOLDING_DAYS};
pub use record_location::RecordLocation;
pub use record_valuation::RecordValuation;
pub use register_client::RegisterClient;
pub use resolve_fraud_alert::ResolveFraudAlert;
pub use transfer_ownership::TransferOwnership;

use crate::wire_enum::wire_enum;
use crate::{CattleId, FieldError};
use data_reader::DataReader;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

wire_enum! {
    /// The wire name of each command ("type" of the command JSON).
    CommandType {
        /// See `CreateCattle`.
        CreateCattle = "CREATE_CATTLE",
        /// See `TransferOwnership`.
        TransferOwnership = "TRANSFER_OWNERSHIP",
        /// See `RecordHealth`.
        RecordHealth = "RECORD_HEALTH",
        /// See `RecordLocation`.
        RecordLocation = "RECORD_LOCATION",
        /// See `AddVerification`.
        AddVerification = "ADD_VERIFICATION",
        /// See `ChangeStatus`.
        ChangeStatus = "CHANGE_STATUS",
        /// See `RegisterClient`.
        RegisterClient = "REGISTER_CLIENT",
        /// See `RecordValuation`.
        RecordValuation = "RECORD_VALUATION",
        /// See `ResolveFraudAlert`.
        ResolveFraudAlert = "RESOLVE_FRAUD_ALERT",
        /// See `Command::AcceptTransfer`.
        AcceptTransfer = "ACCEPT_TRANSFER",
        /// See `Command::DeclineTransfer`.
        DeclineTransfer = "DECLINE_TRANSFER",
        /// See `AssignMob`.
        AssignMob = "ASSIGN_MOB",
    }
}

/// A user's request, as sent by the browser: `{"type": "CREATE_CATTLE", "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Command {
    /// Register an animal.
    CreateCattle(CreateCattle),
    /// Move an animal to another owner.
    TransferOwnership(TransferOwnership),
    /// Record a health event.
    RecordHealth(RecordHealth),
    /// Record a GPS fix.
    RecordLocation(RecordLocation),
    /// Record a passed identity check.
    AddVerification(AddVerification),
    /// Change an animal's status.
    ChangeStatus(ChangeStatus),
    /// Register a client.
    RegisterClient(RegisterClient),
    /// Record an assessor's valuation.
    RecordValuation(RecordValuation),
    /// Close a fraud alert.
    ResolveFraudAlert(ResolveFraudAlert),
    /// Take the animal offered to one of your clients (the transfer then happens).
    AcceptTransfer(AnswerTransfer),
    /// Refuse the animal offered to your client, or withdraw your own offer.
    DeclineTransfer(AnswerTransfer),
    /// Put an animal in a mob, or take it out of one.
    AssignMob(AssignMob),
}

impl Command {
    /// Parses outside JSON into a command, naming the field of every problem: "type" for a
    /// missing or unknown type, "data" for a missing data object, else the bare camelCase
    /// field name ("nlisId"). Unexpected fields are errors too. Ranges are `validate`'s job,
    /// except that when a field cannot be read, what the rules say about the fields that could
    /// is reported with it: every problem at once.
    pub fn parse(value: &Value) -> Result<Command, Vec<FieldError>> {
        let Some(object) = value.as_object() else {
            return Err(vec![FieldError::new(
                "type",
                "a command must be a JSON object with \"type\" and \"data\"",
            )]);
        };
        let kind = match object.get("type") {
            None | Some(Value::Null) => return Err(vec![FieldError::new("type", "is required")]),
            Some(Value::String(name)) => match CommandType::parse(name) {
                Some(kind) => kind,
                None => {
                    let message = format!(
                        "unknown command type; must be one of {}",
                        CommandType::allowed()
                    );
                    return Err(vec![FieldError::new("type", message)]);
                }
            },
            Some(_) => return Err(vec![FieldError::new("type", "must be a string")]),
        };
        let Some(data) = object.get("data").and_then(Value::as_object) else {
            return Err(vec![FieldError::new(
                "data",
                "must be an object holding the command's fields",
            )]);
        };
        match Command::read_data(kind, data) {
            (Some(command), errors) if errors.is_empty() => Ok(command),
            (_, errors) if errors.is_empty() => {
                Err(vec![FieldError::new("data", "could not be read")])
            }
            (_, errors) => Err(stand_ins::with_rule_problems(kind, data, errors)),
        }
    }

    /// Reads the fields of a `kind` command out of `data`: the command when every field
    /// could be read, and every problem found reading them.
    fn read_data(
        kind: CommandType,
        data: &Map<String, Value>,
    ) -> (Option<Command>, Vec<FieldError>) {
        let mut reader = DataReader::new(data);
        let command = match kind {
            CommandType::CreateCattle => CreateCattle::read(&mut reader).map(Command::CreateCattle),
            CommandType::TransferOwnership => {
                TransferOwnership::read(&mut reader).map(Command::TransferOwnership)
            }
            CommandType::RecordHealth => RecordHealth::read(&mut reader).map(Command::RecordHealth),
            CommandType::RecordLocation => {
                RecordLocation::read(&mut reader).map(Command::RecordLocation)
            }
            CommandType::AddVerification => {
                AddVerification::read(&mut reader).map(Command::AddVerification)
            }
            CommandType::ChangeStatus => ChangeStatus::read(&mut reader).map(Command::ChangeStatus),
            CommandType::RegisterClient => {
                RegisterClient::read(&mut reader).map(Command::RegisterClient)
            }
            CommandType::RecordValuation => {
                RecordValuation::read(&mut reader).map(Command::RecordValuation)
            }
            CommandType::ResolveFraudAlert => {
                ResolveFraudAlert::read(&mut reader).map(Command::ResolveFraudAlert)
            }
            CommandType::AcceptTransfer => {
                AnswerTransfer::read(&mut reader).map(Command::AcceptTransfer)
            }
            CommandType::DeclineTransfer => {
                AnswerTransfer::read(&mut reader).map(Command::DeclineTransfer)
            }
            CommandType::AssignMob => AssignMob::read(&mut reader).map(Command::AssignMob),
        };
        (command, reader.finish())
    }

    /// Parses and validates in one step (what a command handler wants).
    pub fn parse_valid(value: &Value) -> Result<Command, Vec<FieldError>> {
        let command = Command::parse(value)?;
        command.validate()?;
        Ok(command)
    }

    /// Range and format checks of every field, each error named by its camelCase field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        match self {
            Command::CreateCattle(c) => c.validate(),
            Command::TransferOwnership(c) => c.validate(),
            Command::RecordHealth(c) => c.validate(),
            Command::RecordLocation(c) => c.validate(),
            Command::AddVerification(c) => c.validate(),
            Command::ChangeStatus(c) => c.validate(),
            Command::RegisterClient(c) => c.validate(),
            Command::RecordValuation(c) => c.validate(),
            Command::ResolveFraudAlert(c) => c.validate(),
            Command::AcceptTransfer(c) | Command::DeclineTransfer(c) => c.validate(),
            Command::AssignMob(c) => c.validate(),
        }
    }

    /// The subject aggregate: the animal, or for REGISTER_CLIENT the client's stream
    /// (`CattleId::for_client_pic`). For CREATE_CATTLE it is derived from the NLIS id.
    pub fn cattle_id(&self) -> CattleId {
        match self {
            Command::CreateCattle(c) => CattleId::for_nlis(&c.nlis_id),
            Command::TransferOwnership(c) => c.cattle_id,
            Command::RecordHealth(c) => c.cattle_id,
            Command::RecordLocation(c) => c.cattle_id,
            Command::AddVerification(c) => c.cattle_id,
            Command::ChangeStatus(c) => c.cattle_id,
            Command::RegisterClient(c) => CattleId::for_client_pic(&c.pic),
            Command::RecordValuation(c) => c.cattle_id,
            Command::ResolveFraudAlert(c) => c.cattle_id,
            Command::AcceptTransfer(c) | Command::DeclineTransfer(c) => c.cattle_id,
            Command::AssignMob(c) => c.cattle_id,
        }
    }

    /// The command's wire type.
    pub fn command_type(&self) -> CommandType {
        match self {
            Command::CreateCattle(_) => CommandType::CreateCattle,
            Command::TransferOwnership(_) => CommandType::TransferOwnership,
            Command::RecordHealth(_) => CommandType::RecordHealth,
            Command::RecordLocation(_) => CommandType::RecordLocation,
            Command::AddVerification(_) => CommandType::AddVerification,
            Command::ChangeStatus(_) => CommandType::ChangeStatus,
            Command::RegisterClient(_) => CommandType::RegisterClient,
            Command::RecordValuation(_) => CommandType::RecordValuation,
            Command::ResolveFraudAlert(_) => CommandType::ResolveFraudAlert,
            Command::AcceptTransfer(_) => CommandType::AcceptTransfer,
            Command::DeclineTransfer(_) => CommandType::DeclineTransfer,
            Command::AssignMob(_) => CommandType::AssignMob,
        }
    }
}
