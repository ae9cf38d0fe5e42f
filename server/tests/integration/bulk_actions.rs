//! Bulk actions on the real engines, as the herd page sends them: one command per animal
//! under one action id (every event's correlation id), answered per animal; a chunk sent
//! again is the same facts; a mob is a view column the herd list filters and selects on.
use crate::support;

use app::model::{CommandFailure, HerdQuery};
use app::registry::LivestockRegistry;
use serde_json::{json, Value};
use std::time::Duration;

fn each(kind: &str, data: Value, animals: &[i64]) -> Vec<Value> {
    animals
        .iter()
        .map(|id| {
            let mut data = data.clone();
            data["cattleId"] = json!(id);
            json!({"type": kind, "data": data})
        })
        .collect()
}

fn of_mob(mob: &str) -> HerdQuery {
    HerdQuery {
        page: 1,
        sort: "nlis".into(),
        mob: Some(mob.into()),
        ..HerdQuery::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mob_moves_in_one_action_and_a_resent_chunk_is_the_same_facts() {
    let settings = support::settings("bulk").await;
    let server = support::start(&settings).await;
    let office = &server.office;
    let (farmer, token) = support::farmer_with_clients(&server, &[41]).await;
    let (neighbour, _) = support::farmer_with_clients(&server, &[42]).await;
    let me = support::user_of(&server, &token).await;
    let mut mine = Vec::new();
    for n in 0..5u32 {
        let nlis = support::nlis(4100 + n);
        support::applied_command(
            &server,
            &farmer,
            json!({"type": "CREATE_CATTLE",
            "data": {"nlisId": nlis, "breed": "Angus", "sex": "FEMALE", "clientId": 41}}),
        )
        .await;
        mine.push(domain::CattleId::for_nlis(&nlis).0);
    }
    let foreign_nlis = support::nlis(4199);
    support::applied_command(
        &server,
        &neighbour,
        json!({"type": "CREATE_CATTLE",
        "data": {"nlisId": foreign_nlis, "breed": "Angus", "sex": "MALE", "clientId": 42}}),
    )
    .await;
    let foreign = domain::CattleId::for_nlis(&foreign_nlis).0;

    // Drafting into a mob: each animal answered on its own; another farmer's is refused.
    let mut drafted = mine.clone();
    drafted.push(foreign);
    let mob = each("ASSIGN_MOB", json!({"mob": " Weaners "}), &drafted);
    let answers = office
        .submit_bulk(&me, "bulk-draft-1", mob)
        .await
        .expect("the chunk is taken");
    assert_eq!(answers.len(), 6);
    assert!(answers[..5].iter().all(Result::is_ok), "{answers:?}");
    assert!(
        matches!(&answers[5], Err(CommandFailure::Forbidden { message }) if message.contains("not yours")),
        "{answers:?}"
    );

    // The mob is a filter, and "select all matching" selects exactly its animals.
    let selected = support::eventually(Duration::from_secs(20), "the mob applied", || async {
        let selected = office.herd_selection(&me, of_mob("Weaners")).await.ok()?;
        (selected.len() == 5).then_some(selected)
    })
    .await;
    let mut ids: Vec<i64> = selected.iter().map(|a| a.id).collect();
    ids.sort_unstable();
    let mut expected = mine.clone();
    expected.sort_unstable();
    assert_eq!(ids, expected);
    let page = office.herd(&me, of_mob("Weaners")).await.expect("a page");
    assert_eq!(page.mobs, vec!["Weaners".to_string()]);
    assert!(page
        .rows
        .iter()
        .all(|r| r.mob.as_deref() == Some("Weaners")));

    // Moving the mob; the answer is lost and the chunk is sent again: the same events.
    let moved = each(
        "RECORD_LOCATION",
        json!({"paddock": "River flat",
        "latitude": -27.47, "longitude": 153.02}),
        &mine,
    );
    let first = office
        .submit_bulk(&me, "bulk-move-1", moved.clone())
        .await
        .expect("the chunk is taken");
    let again = office
        .submit_bulk(&me, "bulk-move-1", moved)
        .await
        .expect("the chunk is taken again");
    let events = |answers: &[Result<app::model::CommandAck, CommandFailure>]| -> Vec<String> {
        answers
            .iter()
            .map(|a| a.as_ref().map(|ack| ack.event_id.clone()).expect("done"))
            .collect()
    };
    assert_eq!(events(&first), events(&again));

    // Every animal shows the paddock; each event carries the action's id.
    support::eventually(Duration::from_secs(20), "the move applied", || async {
        let page = office.herd(&me, of_mob("Weaners")).await.ok()?;
        page.rows
            .iter()
            .all(|r| r.paddock.as_deref() == Some("River flat"))
            .then_some(())
    })
    .await;
    let animal = office
        .animal(&me, mine[0])
        .await
        .expect("readable")
        .expect("known");
    let envelopes: Vec<Value> = animal
        .envelopes
        .iter()
        .map(|text| serde_json::from_str(text).expect("an envelope"))
        .collect();
    let correlated: Vec<&str> = envelopes
        .iter()
        .filter_map(|e| e["metadata"]["correlation_id"].as_str())
        .collect();
    assert!(correlated.contains(&"bulk-draft-1"), "{correlated:?}");
    assert_eq!(
        correlated.iter().filter(|c| **c == "bulk-move-1").count(),
        1
    );
    assert_eq!(animal.state.mob.as_deref(), Some("Weaners"));

    // Two are treated with a withholding period: the herd list's filter finds exactly them.
    let treated = each(
        "RECORD_HEALTH",
        json!({"kind": "TREATMENT", "product": "Oxytetracycline",
        "dose": "10 ml", "withholdingDays": 21}),
        &mine[..2],
    );
    let answers = office
        .submit_bulk(&me, "bulk-treat-1", treated)
        .await
        .expect("the chunk is taken");
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    let withheld = HerdQuery {
        in_withholding: true,
        ..of_mob("Weaners")
    };
    let page = support::eventually(
        Duration::from_secs(20),
        "the treatments applied",
        || async {
            let page = office.herd(&me, withheld.clone()).await.ok()?;
            (page.total == 2).then_some(page)
        },
    )
    .await;
    let today = chrono::Utc::now().date_naive();
    let until = (today + chrono::Days::new(21))
        .format("%Y-%m-%d")
        .to_string();
    for row in &page.rows {
        assert!(mine[..2].contains(&row.id));
        assert_eq!(row.withholding_until.as_deref(), Some(until.as_str()));
    }

    // Drafting into the mob it is in changes nothing and says so; an unfit id is named.
    let same = office
        .submit_bulk(
            &me,
            "bulk-draft-2",
            each("ASSIGN_MOB", json!({"mob": "Weaners"}), &mine[..1]),
        )
        .await
        .expect("the chunk is taken");
    assert!(
        matches!(&same[0], Err(CommandFailure::Rejected { code, .. }) if code == "SAME_MOB"),
        "{same:?}"
    );
    let unfit = office
        .submit_bulk(&me, "no spaces please", Vec::new())
        .await
        .expect_err("an unfit id is refused");
    assert!(
        matches!(&unfit, CommandFailure::Invalid { errors } if errors[0].field == "actionId"),
        "{unfit:?}"
    );
    support::clean_up(&settings).await;
}
