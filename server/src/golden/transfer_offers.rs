//! Reads of transfers waiting for acceptance: the offers a user answers or waits on, and
//! the lookup of a client by the PIC a farmer already knows (the only way a farmer names
//! another farmer's client).
use crate::entity::{cattle, client};
use app::model::{ClientReference, TransferOffer, TransferOffers};
use domain::CattleState;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// The client registered under `pic`, by id and PIC only; None when none is.
pub async fn client_by_pic(
    db: &DatabaseConnection,
    pic: &str,
) -> Result<Option<ClientReference>, DbErr> {
    let row = client::Entity::find()
        .filter(client::Column::Pic.eq(pic))
        .one(db)
        .await?;
    Ok(row.map(|row| ClientReference {
        id: row.id,
        pic: row.pic,
    }))
}

/// The offers that concern a user whose clients are `visible` (None: an assessor or an
/// administrator, to whom every offer is incoming).
pub async fn offers(
    db: &DatabaseConnection,
    visible: Option<&[i64]>,
) -> Result<TransferOffers, DbErr> {
    let waiting = cattle::Column::OfferedToClient.is_not_null();
    let (incoming, outgoing) = match visible {
        None => (offer_rows(db, waiting).await?, Vec::new()),
        Some(own) => {
            let to_mine = cattle::Column::OfferedToClient.is_in(own.to_vec());
            let from_mine = cattle::Column::ClientId.is_in(own.to_vec()).and(waiting);
            (
                offer_rows(db, to_mine).await?,
                offer_rows(db, from_mine).await?,
            )
        }
    };
    let pics = client_pics(db, incoming.iter().chain(&outgoing)).await?;
    Ok(TransferOffers {
        incoming: incoming.iter().filter_map(|r| offer(r, &pics)).collect(),
        outgoing: outgoing.iter().filter_map(|r| offer(r, &pics)).collect(),
    })
}

async fn offer_rows(
    db: &DatabaseConnection,
    filter: sea_orm::sea_query::SimpleExpr,
) -> Result<Vec<cattle::Model>, DbErr> {
    cattle::Entity::find()
        .filter(filter)
        .order_by_asc(cattle::Column::UpdatedAt)
        .order_by_asc(cattle::Column::Id)
        .all(db)
        .await
}

/// The PIC of every client the rows name.
async fn client_pics(
    db: &DatabaseConnection,
    rows: impl Iterator<Item = &cattle::Model>,
) -> Result<HashMap<i64, String>, DbErr> {
    let mut ids: Vec<i64> = rows
        .flat_map(|row| [Some(row.client_id), row.offered_to_client])
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let clients = client::Entity::find()
        .filter(client::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(clients.into_iter().map(|c| (c.id, c.pic)).collect())
}

/// One row as an offer; a row whose state holds no offer (it was answered between the two
/// reads) is left out.
fn offer(row: &cattle::Model, pics: &HashMap<i64, String>) -> Option<TransferOffer> {
    let state: CattleState = serde_json::from_value(row.state.clone()).ok()?;
    let pending = state.pending_transfer?;
    let reference = |id: i64, pics: &HashMap<i64, String>| ClientReference {
        id,
        pic: pics.get(&id).cloned().unwrap_or_default(),
    };
    Some(TransferOffer {
        cattle_id: row.id,
        nlis_id: row.nlis_id.clone(),
        breed: row.breed.clone(),
        sex: row.sex.clone(),
        confidence_score: row.confidence_score,
        risk_level: row.risk_level.clone(),
        from_client: reference(row.client_id, pics),
        to_client: reference(pending.to_client_id, pics),
        price_cents: pending.price_cents,
        offered_at: pending.offered_at,
    })
}
