//! Types that cross the wire between the browser and the server.
mod animal_as_of;
mod animal_page;
mod bulk_action;
mod cattle_record;
mod command_outcome;
mod consumer_group;
mod dashboard;
mod event_status;
mod event_words;
mod fraud_alert;
mod head_watch;
mod herd_as_of;
mod herd_import;
mod herd_listing;
mod live_update;
mod log_verification;
mod operations;
mod outbox;
mod provenance_words;
mod readable_time;
mod search;
mod signed_in_user;
mod signing_key;
mod stream_keys;
mod transfer_offer;
mod user_account;
mod view_name;
mod view_rebuild;
mod weighings;

pub use animal_as_of::AnimalAsOf;
pub use animal_page::{AnimalPage, ValuationEntry};
pub use bulk_action::{
    bulk_answer, bulk_tally, command_for, BulkAnswer, BulkOutcome, SelectedAnimal,
    BULK_COMMANDS_PER_REQUEST,
};
pub use cattle_record::CattleRecord;
pub use command_outcome::{AckStatus, ChunkAnswer, CommandAck, CommandFailure};
pub use consumer_group::ConsumerGroupStanding;
pub use dashboard::{Dashboard, FeedItem, Tally, ValuePoint};
pub use event_status::{EventStatus, EventVerdict};
pub use event_words::{event_in_words, event_name, event_name_of};
pub use fraud_alert::{severity_rank, suspicion_words, FraudAlert};
pub use head_watch::{included_up_to, judge_head, proof_needed, HeadJudgement, ROOT_KEY_OWNER};
pub use herd_as_of::{HerdAsOfRun, HerdAsOfState, HerdFigures};
pub use herd_import::{
    acknowledged_row, csv_data_url, row_answer, ImportProgress, RowAnswer, MOST_COMMANDS_AT_ONCE,
};
pub use herd_listing::{
    ClientSummary, HerdPage, HerdQuery, MobGain, HERD_PAGE_SIZE, HERD_PAGE_SIZES, HERD_SORTS,
    MOST_SELECTED,
};
pub use live_update::LiveUpdate;
pub use log_verification::{BrokenEvent, LogVerificationRun, VerificationState, BROKEN_SHOWN};
pub use operations::{
    Alert, AlertRule, AlertState, Engine, EngineHealth, EngineState, Health, OperationsReport,
    PartitionLag, ViewStanding,
};
pub use outbox::{queue_of, send_answer, OutboxEntry, SendAnswer};
pub use provenance_words::{
    capitalised, check_words, checks_that_raise, confidence_parts, risk_because, signed_points,
};
pub use readable_time::{readable_day, readable_instant};
pub use search::{
    query_string, FacetCount, NearPlace, SearchFacets, SearchHit, SearchInputError, SearchRequest,
    SearchResults, SearchSort, DEFAULT_HITS, LONGEST_TEXT, MOST_HITS, SEARCH_PARAMETERS, WIDEST_KM,
};
pub use signed_in_user::SignedInUser;
pub use signing_key::{KeyReach, SigningKey};
pub use stream_keys::keys_of_stream;
pub use transfer_offer::{ClientReference, TransferOffer, TransferOffers};
pub use user_account::UserAccount;
pub use view_name::ViewName;
pub use view_rebuild::{RebuildState, ViewRebuild};
pub use weighings::{kilograms, weighings_of};
