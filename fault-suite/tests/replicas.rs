//! Scenario 3 (issue #9): two replicas of every service on one set of PostgreSQL databases and
//! two gateways (gateway a forwards to replica set a, gateway b to set b; each set calls its
//! own peers), during a batch of M 聘书 with mail (short 150, long 500) and K appointments
//! (short 50, long 200) made through both gateways → each outbox event delivered once, each
//! document issued once, each mail sent once.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use fault_suite::procs::{Suite, SuiteOptions, metric_sum};
use fault_suite::smtp::{MailCounts, SmtpSink};
use fault_suite::{Checks, alliance, pg, pick, poll, random_tag, settle_secs};

#[actix_rt::test]
async fn two_replicas_of_everything_do_each_piece_of_work_once() {
    let m: usize = pick(150, 500);
    let k: usize = pick(50, 200);
    let mut c = Checks::new("replicas");
    c.figure(
        "certificates in the batch / appointments during it",
        format!("{m} / {k}"),
    );

    let smtp = SmtpSink::start();
    let mut opts = SuiteOptions::new(pg::shared_server_url(), Some(smtp.url()));
    opts.replicas = 2;
    opts.gateways = 2;
    let suite = Suite::start(opts).await;
    let apis = [suite.admin(0).await, suite.admin(1).await];
    let (members_db, docs_db) = (suite.db("members"), suite.db("documents"));
    let tag = random_tag();
    let term = alliance::open_term(&apis[0]).await;
    let people = alliance::import_people(&apis[0], &tag, 0..m + k).await;
    let (first, later) = people.split_at(m);
    let mut appointments = alliance::appoint_experts(&apis, term, first).await;
    let deadline = 60.0 + m as f64 / 2.0;
    let quiet = poll(deadline, Duration::from_millis(500), || async {
        let v = alliance::valid_certificates(&apis[0]).await;
        let queued = pg::count(&docs_db, "SELECT COUNT(*) FROM deliveries WHERE status = 'queued'");
        let (one, _, _) = alliance::certificate_cover(&v, &appointments);
        (one == m && queued == 0).then_some(())
    })
    .await;
    c.check(
        quiet.is_some(),
        format!("the first {m} appointments' own 聘书 issued and mailed within {deadline} s"),
    );

    // The batch (through gateway a) and K more appointments (through both) at the same time.
    let started = Instant::now();
    let (batch_id, total) = alliance::start_batch(&apis[0], true, true).await;
    c.check(
        total == m as i64,
        format!("the batch covers the committee ({total} of {m})"),
    );
    appointments.extend(alliance::appoint_experts(&apis, term, later).await);
    c.figure(
        "appointments made during the batch in (s)",
        format!("{:.1}", started.elapsed().as_secs_f64()),
    );

    let all = m + k;
    let settled = poll(120.0 + settle_secs(), Duration::from_millis(500), || async {
        let b = alliance::batch(&apis[0], batch_id).await?;
        let v = alliance::valid_certificates(&apis[1]).await;
        let (one, _, _) = alliance::certificate_cover(&v, &appointments);
        let queued = pg::count(&docs_db, "SELECT COUNT(*) FROM deliveries WHERE status = 'queued'");
        let pending = pg::count(
            &members_db,
            "SELECT COUNT(*) FROM outbox_events WHERE delivered_at IS NULL",
        );
        (b["status"] == "finished" && one == all && queued == 0 && pending == 0).then_some(b)
    })
    .await;
    let took = started.elapsed().as_secs_f64();
    c.check(
        settled.as_ref().is_some_and(|_| took <= 120.0),
        format!(
            "batch finished, {all} 聘书 valid, mail and outbox drained within 120 s ({})",
            if settled.is_some() {
                format!("took {took:.1} s")
            } else {
                format!("not after {took:.1} s")
            }
        ),
    );
    let b = match settled {
        Some(b) => b,
        None => alliance::batch(&apis[0], batch_id).await.unwrap_or_default(),
    };
    c.figure("batch", b.to_string());
    let (done, failed) = (b["done"].as_i64().unwrap_or(-1), b["failed"].as_i64().unwrap_or(-1));
    c.check(
        done + failed == total && failed == 0,
        format!("the batch's items each done once ({done} done + {failed} failed of {total})"),
    );

    // Outbox → documents: one successful POST per event across both receivers, and every event
    // in the inbox once.
    for (dest, table_check) in [("documents", true), ("meetings", false)] {
        let rows = pg::count(
            &members_db,
            &format!("SELECT COUNT(*) FROM outbox_events WHERE destination = '{dest}'"),
        );
        let delivered = pg::count(
            &members_db,
            &format!("SELECT COUNT(*) FROM outbox_events WHERE destination = '{dest}' AND delivered_at IS NOT NULL"),
        );
        let mut received = 0;
        let mut refused = 0;
        for p in suite.replicas(dest) {
            let text = suite.http.get_text(&format!("{}/metrics", p.url())).await;
            let labels = ["method=\"POST\"", "route=\"/internal/v1/events\""];
            received += metric_sum(&text, "http_requests_total", &labels, |s| {
                (200..300).contains(&s) || s == 409
            });
            refused += metric_sum(&text, "http_requests_total", &labels, |s| {
                !((200..300).contains(&s) || s == 409)
            });
        }
        let mut recorded = 0;
        for p in suite.replicas("members") {
            let text = suite.http.get_text(&format!("{}/metrics", p.url())).await;
            recorded += metric_sum(
                &text,
                "outbox_delivered_total",
                &[&format!("destination=\"{dest}\"")],
                |_| true,
            );
        }
        c.figure(
            &format!("members → {dest}"),
            format!(
                "{rows} outbox events, {delivered} delivered; receivers accepted {received} POSTs (and refused {refused}); \
                 senders counted {recorded} deliveries"
            ),
        );
        c.check(
            delivered == rows && received == rows as u64 && recorded == rows as u64,
            format!("each members → {dest} event delivered once ({rows} events, {received} accepted POSTs, {recorded} counted)"),
        );
        if table_check {
            let outbox: HashSet<String> = pg::rows(
                &members_db,
                "SELECT event_id FROM outbox_events WHERE destination = 'documents'",
            )
            .into_iter()
            .filter_map(|r| r.into_iter().next())
            .collect();
            let inbox_rows = pg::rows(&docs_db, "SELECT event_id FROM inbox_events WHERE source = 'members'");
            let inbox: HashSet<String> = inbox_rows.iter().filter_map(|r| r.first().cloned()).collect();
            c.check(
                outbox == inbox && inbox.len() == inbox_rows.len(),
                format!(
                    "documents' inbox holds each outbox event once ({} rows, {} distinct, {} outbox events, {} missing)",
                    inbox_rows.len(),
                    inbox.len(),
                    outbox.len(),
                    outbox.difference(&inbox).count()
                ),
            );
        }
    }

    // Documents: one per event, one valid 聘书 per appointment, no serial twice.
    let twice = pg::count(
        &docs_db,
        "SELECT COUNT(*) FROM (SELECT source_event_id FROM documents WHERE source_event_id IS NOT NULL \
         GROUP BY source_event_id HAVING COUNT(*) > 1) t",
    );
    c.check(twice == 0, format!("no event made two documents ({twice} did)"));
    let valid = alliance::valid_certificates(&apis[0]).await;
    let (one, none, many) = alliance::certificate_cover(&valid, &appointments);
    c.check(
        one == all && none == 0 && many == 0,
        format!("one valid 聘书 per appointment ({one} with one, {none} with none, {many} with more, of {all})"),
    );
    let docs = alliance::documents(&apis[1], "kind=appointment_certificate").await;
    let serials: HashSet<&str> = docs.iter().filter_map(|d| d["serial"].as_str()).collect();
    c.check(
        serials.len() == docs.len() && docs.len() == m + all,
        format!(
            "each 聘书 issued once: {} documents, {} serials (expected {} = {m} superseded + {all} valid)",
            docs.len(),
            serials.len(),
            m + all
        ),
    );
    let burned = pg::count(
        &docs_db,
        "SELECT COALESCE(SUM(last), 0) - (SELECT COUNT(*) FROM documents WHERE kind = 'appointment_certificate') \
         FROM serial_counters WHERE kind = 'appointment_certificate'",
    );
    c.figure("serials reserved but not used (burned)", burned);
    // Work done twice: an inbox event rendered by both replicas, the loser rolling back on a
    // unique key, records a failed attempt on the row (no fault was injected here, so any
    // attempt on record means two workers held the same row).
    let worked_twice = pg::count(&docs_db, "SELECT COUNT(*) FROM inbox_events WHERE attempts > 0");
    let conflicts: Vec<String> = suite
        .replicas("documents")
        .iter()
        .map(|p| {
            format!(
                "{}: {}",
                p.name,
                p.log_count("duplicate an existing record") + p.log_count("duplicate key")
            )
        })
        .collect();
    c.figure("unique-key conflicts logged (loser's rollback)", conflicts.join(", "));
    c.check(
        worked_twice == 0,
        format!(
            "no inbox event worked by both replicas ({worked_twice} of {} events were)",
            m + k
        ),
    );
    // Renders as each replica counted them: every one stored, none thrown away.
    let (mut stored, mut discarded) = (0, 0);
    for p in suite.replicas("documents") {
        let text = suite.http.get_text(&format!("{}/metrics", p.url())).await;
        stored += metric_sum(&text, "documents_renders_total", &["outcome=\"stored\""], |_| true);
        discarded += metric_sum(&text, "documents_renders_total", &["outcome=\"discarded\""], |_| true);
    }
    let issued = pg::count(&docs_db, "SELECT COUNT(*) FROM documents");
    c.figure(
        "renders stored / discarded (both replicas)",
        format!("{stored} / {discarded}"),
    );
    c.check(
        discarded == 0 && stored == issued as u64,
        format!("0 wasted renders: {stored} stored for {issued} documents, {discarded} discarded"),
    );

    // Credentials (issue 12): both replicas publish, and so sign with, one key.
    let mut keys = Vec::new();
    for p in suite.replicas("documents") {
        keys.push(
            suite
                .http
                .get_text(&format!("{}/api/v1/documents/issuer/jwks", p.url()))
                .await,
        );
    }
    c.check(
        keys.len() == 2 && keys[0] == keys[1] && keys[0].contains("\"kid\""),
        format!("one credential key across replicas: {keys:?}"),
    );

    // Mail: each delivery sent once, each message once.
    let mails = smtp.messages();
    let counts = MailCounts::of(&mails);
    let deliveries = pg::count(&docs_db, "SELECT COUNT(*) FROM deliveries");
    let sent = pg::count(&docs_db, "SELECT COUNT(*) FROM deliveries WHERE status = 'sent'");
    c.figure(
        "messages / distinct Message-IDs / deliveries / sent",
        format!("{} / {} / {deliveries} / {sent}", counts.messages, counts.distinct_ids),
    );
    c.check(
        counts.duplicates == 0 && counts.messages as i64 == deliveries && sent == deliveries,
        format!(
            "each mail sent once ({} messages, {} distinct, {deliveries} deliveries, {sent} sent)",
            counts.messages, counts.distinct_ids
        ),
    );
    c.finish();
}
