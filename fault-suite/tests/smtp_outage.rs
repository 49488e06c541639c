//! Scenario 1 (issue #9): the SMTP relay answers 451 to everything for a while (short 20 s,
//! long 5 min) while N experts are appointed (short 30, long 300) → after the relay recovers,
//! N messages, N distinct Message-IDs, one per appointee, and no delivery failed for good.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use fault_suite::procs::{Suite, SuiteOptions};
use fault_suite::smtp::{MailCounts, SmtpSink};
use fault_suite::{Checks, alliance, pg, pick, poll, random_tag};

#[actix_rt::test]
async fn mail_outlasts_an_smtp_outage_and_each_appointee_gets_one_message() {
    let n: usize = pick(30, 300);
    let outage = Duration::from_secs(pick(20, 300));
    let mut c = Checks::new("smtp_outage");
    c.figure("appointments", n);
    c.figure("planned outage (s)", outage.as_secs());

    let smtp = SmtpSink::start();
    let suite = Suite::start(SuiteOptions::new(pg::shared_server_url(), Some(smtp.url()))).await;
    let api = suite.admin(0).await;
    let tag = random_tag();
    let term = alliance::open_term(&api).await;
    let people = alliance::import_people(&api, &tag, 0..n).await;

    // The relay refuses from before the first appointment until the outage has lasted its time.
    smtp.refuse(true);
    let outage_started = Instant::now();
    let appointments = alliance::appoint_experts(std::slice::from_ref(&api), term, &people).await;
    c.figure(
        "appointments made during the outage in (s)",
        format!("{:.1}", outage_started.elapsed().as_secs_f64()),
    );
    // Every appointment has its 聘书 while mail is refused (issuing does not wait for mail).
    let valid = poll(120.0, Duration::from_millis(500), || async {
        let v = alliance::valid_certificates(&api).await;
        let (one, _, _) = alliance::certificate_cover(&v, &appointments);
        (one == n).then_some(v)
    })
    .await;
    c.check(valid.is_some(), format!("{n} certificates issued during the outage"));
    if let Some(rest) = outage.checked_sub(outage_started.elapsed()) {
        // The outage lasts its planned time (a sleep for a duration, not for a condition).
        actix_rt::time::sleep(rest).await;
    }
    let docs_db = suite.db("documents");
    let at_recovery = delivery_statuses(&docs_db);
    c.figure("451 answers given", smtp.refusals());
    c.figure(
        "deliveries by status when the relay recovers",
        format!("{at_recovery:?}"),
    );
    c.figure("messages accepted during the outage", smtp.messages().len());
    smtp.refuse(false);
    let recovered = Instant::now();
    let recovered_epoch = fault_suite::epoch_secs();

    // After recovery every delivery goes out: with the short retry schedule (1 s doubling to
    // 5 s) that takes seconds; 60 s is the promise checked here.
    let all_sent = poll(60.0, Duration::from_millis(250), || async {
        let s = delivery_statuses(&docs_db);
        let queued = s.get("queued").copied().unwrap_or(0);
        (queued == 0 && smtp.messages().len() >= n).then_some(())
    })
    .await;
    c.check(
        all_sent.is_some(),
        format!(
            "every delivery left the queue within 60 s of recovery (took {:.1} s; deliveries then {:?})",
            recovered.elapsed().as_secs_f64(),
            delivery_statuses(&docs_db)
        ),
    );
    let mails = smtp.messages();
    let counts = MailCounts::of(&mails);
    let mut per_recipient: HashMap<&str, usize> = HashMap::new();
    for m in &mails {
        for to in &m.to {
            *per_recipient.entry(to.as_str()).or_default() += 1;
        }
    }
    let one_each = people
        .iter()
        .filter(|p| per_recipient.get(p.email.as_str()) == Some(&1))
        .count();
    let final_statuses = delivery_statuses(&docs_db);
    c.figure("deliveries by status at the end", format!("{final_statuses:?}"));
    c.figure(
        "attempts recorded (sum over deliveries)",
        pg::count(&docs_db, "SELECT COALESCE(SUM(attempts), 0) FROM deliveries"),
    );
    if let Some(last) = mails.iter().map(|m| m.at).reduce(f64::max) {
        c.figure(
            "last message arrived after recovery (s)",
            format!("{:.1}", last - recovered_epoch),
        );
    }
    c.check(counts.messages == n, format!("{n} messages (got {})", counts.messages));
    c.check(
        counts.distinct_ids == n,
        format!("{n} distinct Message-IDs (got {})", counts.distinct_ids),
    );
    c.check(one_each == n, format!("one message per appointee ({one_each} of {n})"));
    c.check(
        final_statuses.get("failed").copied().unwrap_or(0) == 0,
        format!(
            "no delivery failed for good ({} failed)",
            final_statuses.get("failed").copied().unwrap_or(0)
        ),
    );
    c.finish();
}

/// Deliveries by status, read from documents-service's database.
fn delivery_statuses(url: &str) -> BTreeMap<String, i64> {
    pg::group_counts(url, "SELECT status, COUNT(*) FROM deliveries GROUP BY status")
}
