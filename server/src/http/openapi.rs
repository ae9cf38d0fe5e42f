//! `GET /api/openapi.json`: the JSON API described as OpenAPI 3.1.
use axum::Json;
use serde_json::{json, Value};

fn command(kind: &str, required: &[&str], properties: Value) -> Value {
    json!({
        "type": "object",
        "required": ["type", "data"],
        "properties": {
            "type": {"const": kind},
            "data": {"type": "object", "required": required, "properties": properties, "additionalProperties": false}
        }
    })
}

/// The OpenAPI document of the JSON API.
pub fn document() -> Value {
    let cattle_id = json!({"type": "integer", "minimum": 1, "description": "the animal's id"});
    let text = |max: u32| json!({"type": "string", "maxLength": max});
    let commands = json!([
        command(
            "CREATE_CATTLE",
            &["nlisId", "breed", "sex", "clientId"],
            json!({
                "nlisId": {"type": "string", "pattern": "^[A-Z0-9]{16}$"},
                "breed": text(100),
                "sex": {"enum": ["MALE", "FEMALE"]},
                "clientId": {"type": "integer", "minimum": 1},
                "birthDate": {"type": "string", "format": "date"}
            })
        ),
        command(
            "TRANSFER_OWNERSHIP",
            &["cattleId", "toClientId"],
            json!({
                "cattleId": cattle_id, "toClientId": {"type": "integer", "minimum": 1},
                "priceCents": {"type": "integer", "minimum": 0}
            })
        ),
        command(
            "RECORD_HEALTH",
            &["cattleId", "kind", "notes"],
            json!({
                "cattleId": cattle_id,
                "kind": {"enum": ["VACCINATION", "TREATMENT", "INSPECTION", "WEIGHING", "ILLNESS", "INJURY"]},
                "notes": text(2000), "weightKg": {"type": "number", "minimum": 1, "maximum": 2000},
                "product": text(100), "dose": text(50), "route": text(40), "batch": text(50),
                "withholdingDays": {"type": "integer", "minimum": 0, "maximum": domain::MAX_WITHHOLDING_DAYS}
            })
        ),
        command(
            "RECORD_LOCATION",
            &["cattleId", "latitude", "longitude"],
            json!({
                "cattleId": cattle_id,
                "latitude": {"type": "number", "minimum": -90, "maximum": 90},
                "longitude": {"type": "number", "minimum": -180, "maximum": 180},
                "pic": {"type": "string", "pattern": "^[A-Z0-9]{8}$"},
                "paddock": text(domain::MOB_NAME_MAX as u32)
            })
        ),
        command(
            "ASSIGN_MOB",
            &["cattleId"],
            json!({"cattleId": cattle_id, "mob": text(domain::MOB_NAME_MAX as u32)})
        ),
        command(
            "ADD_VERIFICATION",
            &["cattleId", "kind", "reference"],
            json!({
                "cattleId": cattle_id, "kind": {"enum": ["NLIS", "PHOTO", "GPS", "BIOMETRIC", "DNA"]},
                "reference": text(200)
            })
        ),
        command(
            "CHANGE_STATUS",
            &["cattleId", "status", "reason"],
            json!({
                "cattleId": cattle_id,
                "status": {"enum": ["ACTIVE", "SOLD", "DECEASED", "MISSING", "STOLEN", "EXPORTED"]},
                "reason": text(500)
            })
        ),
        command(
            "REGISTER_CLIENT",
            &["name", "pic"],
            json!({
                "clientId": {"type": "integer", "minimum": 1}, "name": text(200),
                "pic": {"type": "string", "pattern": "^[A-Z0-9]{8}$"}
            })
        ),
        command(
            "RECORD_VALUATION",
            &["cattleId", "amountCents", "method"],
            json!({
                "cattleId": cattle_id, "amountCents": {"type": "integer", "minimum": 0},
                "method": {"enum": ["MARKET", "WEIGHT_BASED", "APPRAISAL", "SALE"]}
            })
        ),
        command(
            "RESOLVE_FRAUD_ALERT",
            &["cattleId", "alertId", "resolution"],
            json!({
                "cattleId": cattle_id, "alertId": text(128),
                "resolution": {"enum": ["CONFIRMED", "DISMISSED"]}, "notes": text(2000)
            })
        ),
        command(
            "ACCEPT_TRANSFER",
            &["cattleId"],
            json!({"cattleId": cattle_id})
        ),
        command(
            "DECLINE_TRANSFER",
            &["cattleId"],
            json!({"cattleId": cattle_id})
        ),
    ]);
    let errors = json!({"type": "object", "properties": {"errors": {"type": "array", "items": {
        "type": "object", "required": ["field", "message"],
        "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}}});
    let error = json!({"type": "object", "properties": {"error": {"type": "string"}, "code": {"type": "string"}}});
    let ack = json!({"type": "object", "required": ["event_id", "status", "cattle_id", "sequence"], "properties": {
        "event_id": {"type": "string"}, "status": {"enum": ["PUBLISHED", "DUPLICATE", "APPLIED"]},
        "cattle_id": {"type": "integer"}, "sequence": {"type": "integer"}, "message": {"type": "string"}}});
    let answer = |description: &str, schema: &Value| {
        json!({"description": description,
        "content": {"application/json": {"schema": schema}}})
    };
    let id_param = |name: &str| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "iCattle", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Commands become signed, hash-chained events in Kafka; reads come from views rebuilt from that log. Every path but /api/session (POST), /api/keys, /api/keys/stream, /api/heads/*, /api/openapi.json, /health and /metrics needs a session (cookie or bearer token). Every POST (and a DELETE with a body) must say Content-Type: application/json, and with the session cookie also the app's own Origin; otherwise 403 {error, field}."},
        "paths": {
            "/api/commands": {"post": {
                "summary": "Send a command; it is validated, signed and published to Kafka. A farmer's TRANSFER_OWNERSHIP to another farmer's client is published as TRANSFER_OFFERED: the animal moves when that farmer (or an assessor) sends ACCEPT_TRANSFER; DECLINE_TRANSFER ends the offer (receiver or sender)",
                "parameters": [
                    {"name": "wait", "in": "query", "schema": {"enum": ["applied"]},
                     "description": "answer only once the golden record applied (or refused) the event"},
                    {"name": "timeout_ms", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 60000}},
                    {"name": domain::REQUEST_KEY_HEADER, "in": "header",
                     "schema": {"type": "string", "minLength": 1, "maxLength": domain::REQUEST_KEY_MAX},
                     "description": "the client's name for this request: a retry with the same key is answered with the original event"}
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"oneOf": commands}}}},
                "responses": {
                    "202": answer("published", &ack),
                    "200": answer("applied (with ?wait=applied), or the same command accepted before", &ack),
                    "400": answer("the body is not JSON, or a query parameter is wrong", &errors),
                    "401": answer("no live session", &error),
                    "403": answer("the user's role or ownership does not allow it", &error),
                    "409": answer("the animal's state forbids it, or the event was refused", &error),
                    "422": answer("a field is missing or invalid", &errors),
                    "503": answer("the log or the database did not answer; nothing was published", &error),
                    "504": answer("not applied within the wait; the event is in the log", &error)
                }}},
            "/api/cattle/{id}": {"get": {"summary": "One animal (cache first, then the golden record); with as_of, the animal as it was then, folded from its events",
                "parameters": [id_param("id"),
                    {"name": "as_of", "in": "query", "schema": {"type": "string"}, "description": "a sequence number (after that event; 0 is before the first), a date (the end of that day, UTC) or an RFC 3339 time; answers {cattle_id, as_of, sequence, event_id, event_type, recorded_at, later_events, state, from_snapshot, events_read}; from the animal's latest snapshot (from_snapshot: the sequence it covers) when the point is at or after it"}],
                "responses": {"200": {"description": "the animal"}, "400": answer("not an id, or as_of is not a point in time (named in field)", &errors),
                    "401": answer("no live session", &error), "403": answer("another farmer's animal", &error),
                    "404": answer("unknown, or no event yet by as_of", &error)}}},
            "/api/search": {"get": {"summary": "Full-text search of the herd the user may see (a farmer: their own clients' animals): words match the NLIS id, breed, owner's name and PIC and health notes, as the start of a word or with a typo; answers {total, hits, facets}",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": app::model::LONGEST_TEXT}, "description": "words to find"},
                    {"name": "breed", "in": "query", "schema": {"type": "string"}, "description": "only this breed, as written"},
                    {"name": "sex", "in": "query", "schema": {"enum": domain::Sex::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>()}},
                    {"name": "status", "in": "query", "schema": {"enum": domain::CattleStatus::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>()}},
                    {"name": "risk", "in": "query", "schema": {"enum": domain::RiskLevel::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>()}},
                    {"name": "lat", "in": "query", "schema": {"type": "number", "minimum": -90, "maximum": 90}, "description": "with lon and km: only animals last seen within km of this point"},
                    {"name": "lon", "in": "query", "schema": {"type": "number", "minimum": -180, "maximum": 180}},
                    {"name": "km", "in": "query", "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": app::model::WIDEST_KM}},
                    {"name": "sort", "in": "query", "schema": {"enum": app::model::SearchSort::ALL.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>()}, "description": "relevance (newest without words) by default"},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": app::model::MOST_HITS, "default": app::model::DEFAULT_HITS}}
                ],
                "responses": {"200": {"description": "{total, hits: [{cattle_id, nlis_id, breed, sex, status, risk_level, owner_client_id, owner_name, owner_pic, value_cents, updated_at, sequence, location, distance_km}], facets: {breed, sex, status, risk: [{value, count}]}}"},
                    "400": answer("a parameter is unknown, repeated or invalid (named in field)", &errors),
                    "401": answer("no live session", &error),
                    "503": answer("the search index did not answer", &error)}}},
            "/api/cattle/{id}/from-log": {"get": {"summary": "The animal rebuilt from its events read back from Kafka, verified and compared with the golden record; from its latest snapshot when it has one (`snapshot` names it; `events` counts the events read after it)",
                "parameters": [id_param("id")],
                "responses": {"200": {"description": "the report"}, "401": answer("no live session", &error),
                    "403": answer("another farmer's animal", &error), "404": answer("no events", &error)}}},
            "/api/events/{event_id}/status": {"get": {"summary": "APPLIED, REJECTED (with the reason), DUPLICATE (naming the event applied in its place: duplicate_of) or PENDING",
                "parameters": [id_param("event_id")], "responses": {"200": {"description": "the status"},
                    "401": answer("no live session", &error), "403": answer("about another farmer's stream", &error)}}},
            "/api/clients": {"get": {"summary": "The clients whose animals the user may register or see, by name: a farmer's own, every client for assessors and administrators; [{id, name, pic, mine}] (`mine`: the user manages it)",
                "responses": {"200": {"description": "the clients"}, "401": answer("no live session", &error)}}},
            "/api/keys": {"get": {"summary": "Every accepted public key as [{public_key, owner, signs_for, role?, valid_from?, revoked_from?}], the shape `icattle verify --keys` reads: the keys the key stream makes",
                "responses": {"200": {"description": "the keys"}}}},
            "/api/keys/stream": {"get": {"summary": "The key stream (PROTOCOL.md §11): {root_key, records: [KEY_REGISTERED | KEY_REVOKED records signed by the root key]}, from which a verifier builds the keys itself",
                "responses": {"200": {"description": "the stream"}, "404": answer("the server's keys are configured, not streamed", &error)}}},
            "/api/heads/latest": {"get": {"summary": "The newest signed tree head {number, issued_at, partitions: [{partition, size, root}], animals, animals_root, previous_head_hash, head_hash, public_key, signature} (PROTOCOL.md §9); with ?animals=true {head, animal_heads: [{cattle_id, sequence, event_hash}]}, the file `icattle verify --expect-head` reads (assessors and administrators only: it names every herd's animals)",
                "parameters": [{"name": "animals", "in": "query", "schema": {"type": "boolean"}}],
                "responses": {"200": {"description": "the head"}, "400": answer("animals is neither true nor false", &error), "401": answer("animals=true without a live session", &error),
                    "403": answer("animals=true for a farmer", &error), "404": answer("no head signed yet", &error)}}},
            "/api/heads/{number}": {"get": {"summary": "Signed tree head `number` (1 is the first); ?animals=true as for the latest",
                "parameters": [id_param("number"), {"name": "animals", "in": "query", "schema": {"type": "boolean"}}],
                "responses": {"200": {"description": "the head"}, "400": answer("not a whole number", &error), "404": answer("no such head", &error)}}},
            "/api/heads/consistency": {"get": {"summary": "Heads `from` and `to` and, per partition of `from`, the RFC 9162 consistency proof that `to` only adds to it: {from, to, partitions: [{partition, proof}]}",
                "parameters": [{"name": "from", "in": "query", "required": true, "schema": {"type": "integer"}}, {"name": "to", "in": "query", "required": true, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "the heads and proofs"}, "400": answer("from or to missing or not a whole number, or from after to", &error), "404": answer("no such head", &error)}}},
            "/api/cattle/{id}/proof": {"get": {"summary": "The RFC 9162 inclusion proof of the animal's event `sequence` in head `head` (the newest when not named): {head, proof: {head, partition, leaf_index, event_hash, audit_path}}",
                "parameters": [id_param("id"), {"name": "sequence", "in": "query", "required": true, "schema": {"type": "integer"}}, {"name": "head", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "the proof"}, "400": answer("id, sequence or head not a whole number", &error), "401": answer("no live session", &error),
                    "403": answer("another farmer's animal", &error), "404": answer("no such event, or no such head", &error),
                    "409": answer("NOT_YET_SIGNED: the event is newer than the head; ask after the next", &error)}}},
            "/api/cattle/{id}/inclusion": {"get": {"summary": "The newest signed tree head and the inclusion proof of the newest of the animal's events it includes, {head, proof} (each null when there is none yet; what the animal page's timeline checks)",
                "parameters": [id_param("id")],
                "responses": {"200": {"description": "the head and proof"}, "400": answer("id not a whole number", &error), "401": answer("no live session", &error),
                    "403": answer("another farmer's animal", &error)}}},
            "/api/session": {
                "post": {"summary": "Sign in with {username, password}: sets the HttpOnly session cookie and returns {user, token} (the token works as `Authorization: Bearer`)",
                    "responses": {"200": {"description": "signed in"}, "400": answer("not JSON", &errors), "401": answer("unknown username or wrong password", &errors),
                        "429": answer("too many failed sign-ins for the account or from the address; `Retry-After` says when to try again", &error)}},
                "get": {"summary": "Who is signed in", "responses": {"200": {"description": "{user}"}, "401": answer("no live session", &error)}},
                "delete": {"summary": "Sign out", "responses": {"204": {"description": "signed out"}, "401": answer("no live session", &error)}}},
            "/api/session/password": {"post": {"summary": "Choose a new password {currentPassword, newPassword}: the user's other sessions end. A user whose password the registry printed (the first administrator) gets 403 PASSWORD_CHANGE_REQUIRED everywhere else until then",
                "responses": {"204": {"description": "changed"}, "401": answer("no live session", &error),
                    "422": answer("the current password is wrong, or the new one too short or unchanged", &errors),
                    "429": answer("too many wrong current passwords; `Retry-After` says when to try again", &error)}}},
            "/api/users": {
                "get": {"summary": "Every user {username, user_id, role, public_key, disabled, must_change_password, created_at, created_by}, by name (administrators)",
                    "responses": {"200": {"description": "the users"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error)}},
                "post": {"summary": "Create a user {username, password, role} with a fresh Ed25519 key (administrators)",
                    "responses": {"201": {"description": "the user"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error),
                        "409": answer("the username is taken", &error), "422": answer("a field is invalid", &errors)}}},
            "/api/users/{username}/key": {"post": {"summary": "A new signing key for the account, registered on the key stream, and its old key revoked from now: what the old key signed before still verifies (administrators)",
                "parameters": [id_param("username")],
                "responses": {"204": {"description": "done"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error),
                    "409": answer("a disabled account (ACCOUNT_DISABLED): enabling it gives a new key", &error), "422": answer("no such user", &errors)}}},
            "/api/users/{username}/disabled": {"post": {"summary": "Disable ({disabled: true}: every session of the user ends at once, the key is revoked on the key stream, sign-in answers 403) or enable an account (a new key, registered before it opens) (administrators)",
                "parameters": [id_param("username")],
                "responses": {"204": {"description": "done"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error),
                    "409": answer("an administrator's own account", &error), "422": answer("no such user", &errors)}}},
            "/api/users/{username}/password": {"post": {"summary": "Reset a forgotten password {password}: the user must choose their own at their next sign-in, and every session of theirs ends (administrators; not their own account, which the password page changes)",
                "parameters": [id_param("username")],
                "responses": {"204": {"description": "done"}, "400": answer("not JSON", &errors), "401": answer("no live session", &error), "403": answer("not an administrator", &error),
                    "409": answer("an administrator's own account", &error), "422": answer("the password is too short, or no such user", &errors)}}},
            "/api/users/{username}/role": {"post": {"summary": "Change a user's role {role: FARMER|ASSESSOR|ADMIN}, from their next request on (administrators; not their own account, so an administrator always remains)",
                "parameters": [id_param("username")],
                "responses": {"204": {"description": "done"}, "400": answer("not JSON", &errors), "401": answer("no live session", &error), "403": answer("not an administrator", &error),
                    "409": answer("an administrator's own account", &error), "422": answer("no such role, or no such user", &errors)}}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            "/api/alerts": {"get": {"summary": "The seed's alerts as the server last evaluated them (every second): CONSUMER_LAG (a view > 10 s behind), PROCESSING_ERRORS (> 1 % of a view's events failed in 5 minutes), KAFKA_UNAVAILABLE, DATABASE_REPLICATION_LAG (> 5 s, NOT_REPORTED without replicas); administrators",
                "responses": {"200": {"description": "{alerts: [{rule, state: FIRING|OK|NOT_REPORTED, summary, since}]}"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error)}}},
            "/api/views": {"get": {"summary": "Each view's position per partition, lag in events and seconds, counts and pause switch (administrators)",
                "responses": {"200": {"description": "{views: [{view, paused, processed, failed, partitions: [{partition, next_offset, end_offset, lag_events, lag_seconds}]}]}"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error)}}},
            "/api/views/{view}/paused": {"post": {"summary": "Pause ({paused: true}: the view finishes its batch and reads no more; its lag grows) or resume a view of this instance (administrators)",
                "parameters": [id_param("view")],
                "responses": {"204": {"description": "done"}, "400": answer("a body other than {paused: bool}", &errors), "401": answer("no live session", &error), "403": answer("not an administrator", &error),
                    "404": answer("no such view", &error), "409": answer("the view does not run in this instance", &error)}}},
            "/api/rebuilds": {"get": {"summary": "The latest rebuild of each view this instance can rebuild blue/green (administrators)",
                "responses": {"200": {"description": "{rebuilds: [the run as GET /api/views/{view}/rebuild answers it]}"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error)}}},
            "/api/views/{view}/rebuild": {
                "get": {"summary": "The latest blue/green rebuild of a view (administrators): {view, state: NEVER_RUN|RUNNING|SWAPPING|FINISHED|CANCELLED|FAILED, started_at, finished_at, done, total, resumed_from, per_second, seconds_left, error}",
                    "parameters": [id_param("view")],
                    "responses": {"200": {"description": "the run"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error), "404": answer("no such view", &error)}},
                "post": {"summary": "Rebuild a view (golden_record, fraud_view, cache_view, or the embedded search_index) from offset 0 into a copy beside the live one, which keeps serving; once the copy has caught up it replaces the live rows and checkpoints in one transaction, or (the cache and the search index) becomes the generation every later read goes to (administrators). A copy an interrupted rebuild left is resumed",
                    "parameters": [id_param("view")],
                    "responses": {"202": {"description": "started; GET follows it"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error), "404": answer("no such view", &error),
                        "409": answer("REBUILD_RUNNING, VIEW_NOT_REBUILDABLE (the golden record and the fraud view are) or VIEW_NOT_RUNNING (views are off in this instance)", &error)}},
                "delete": {"summary": "Cancel a rebuild before its swap: the copy is removed, the live view was never touched (administrators)",
                    "parameters": [id_param("view")],
                    "responses": {"202": {"description": "cancelling; GET reads CANCELLED once the copy is gone"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error), "404": answer("no such view", &error),
                        "409": answer("NO_REBUILD_RUNNING, or REBUILD_SWAPPING (the swap takes seconds and is not interrupted)", &error)}}},
            "/api/herd-as-of": {
                "post": {"summary": "Start working out the dashboard's figures for the user's herd as it was at a date (the end of that day, UTC) or an RFC 3339 time: every animal's accepted events folded up to that point; a farmer's herd is the animals their clients owned then",
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["asOf"], "properties": {"asOf": {"type": "string", "examples": ["2026-11-30", "2026-11-30T08:00:00Z"]}}}}}},
                    "responses": {"202": {"description": "started: {job_id, as_of, as_of_instant, state RUNNING, started_at, done, total}; GET /api/herd-as-of/{job} follows it"}, "400": answer("the body is not {asOf}", &error), "401": answer("no live session", &error),
                        "409": answer("HERD_AS_OF_RUNNING: another of the user's jobs is under way", &error), "422": answer("asOf is no date or time", &error)}}},
            "/api/herd-as-of/{job}": {
                "get": {"summary": "A herd-as-of job of the user's: state RUNNING, FINISHED or FAILED, done and total events, and once finished its figures {head_count, by_status, by_breed, by_risk, herd_value_cents}",
                    "parameters": [id_param("job")],
                    "responses": {"200": {"description": "the job"}, "401": answer("no live session", &error), "404": answer("no such job of the user's on this instance", &error)}}},
            "/api/consumer-groups": {"get": {"summary": "The deployment's consumer groups as Kafka sees them (administrators): {groups: [{group, state, members, committed, behind}]}, committed being the sum of the offsets the group committed on the cattle log and behind the messages past it; asked of the broker at most every 5 s. The views read by assignment from their own checkpoints, so their groups are Empty with no members",
                "responses": {"200": {"description": "the groups"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error), "503": answer("Kafka did not answer", &error)}}},
            "/api/log-verification": {
                "get": {"summary": "The latest verification of the whole cattle log (administrators): state NEVER_RUN, RUNNING, FINISHED or FAILED, total, checked, broken_count and the first 500 broken events {partition, offset, event_id, cattle_id, code, reason}",
                    "responses": {"200": {"description": "the run"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error)}},
                "post": {"summary": "Start verifying every message of the cattle log, from offset 0 to the end it has now, with the domain's verifier against the published keys (administrators)",
                    "responses": {"202": {"description": "started; GET follows it"}, "401": answer("no live session", &error), "403": answer("not an administrator", &error), "409": answer("a run is under way", &error)}}},
            "/health": {"get": {"summary": "Each engine's state (BROKER, DATABASE, CACHE, SEARCH: UP, DOWN or NOT_CONFIGURED) as probed within the last seconds, and whether the log can be written",
                "responses": {"200": {"description": "{log_writable: true, engines: [{engine, state, detail}], checked_at}"}, "503": {"description": "the log cannot be written (the broker does not answer, or a partition has no leader)"}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics (text format 0.0.4): commands by type and outcome; events published, publish latency and errors; per view the messages processed, refused and dead-lettered, the processing rate, the batch apply time, and the consumer lag per partition in events and seconds; each topic's partitions, messages and retention; read-model query latency by store; cache reads and hit ratio; engines up; alerts firing",
                "responses": {"200": {"description": "the metrics"}}}},
            "/ws": {"get": {"summary": "WebSocket of live updates (JSON: cattle_changed, event_rejected)",
                "responses": {"101": {"description": "switching protocols"}}}}
        }
    })
}

/// Serves the document.
pub async fn openapi() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_type_is_described() {
        let doc = document();
        let variants = doc["paths"]["/api/commands"]["post"]["requestBody"]["content"]
            ["application/json"]["schema"]["oneOf"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let kinds: Vec<&str> = variants
            .iter()
            .filter_map(|v| v["properties"]["type"]["const"].as_str())
            .collect();
        for kind in domain::CommandType::ALL.iter().map(|c| c.as_str()) {
            assert!(kinds.contains(&kind), "{kind} is missing");
            // The wire name must be one the domain's parser knows.
            let parsed = domain::Command::parse(&json!({"type": kind, "data": {}}));
            let errors = parsed.err().unwrap_or_default();
            assert!(
                errors.iter().all(|e| e.field != "type"),
                "{kind}: {errors:?}"
            );
        }
    }
}
