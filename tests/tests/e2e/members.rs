//! members-service end to end through the gateway: the life of a council from first start,
//! R1 under concurrency, access by role, validation, labels.

use awc::http::StatusCode;
use e2e_tests::{Fields, Reply, TestSuite, created, eventually, ok};
use serde_json::{Value, json};

const M: &str = "/api/v1/members";

async fn unit(s: &TestSuite, t: &str, name: &str, kind: &str) -> i64 {
    let body = json!({"name": name, "kind": kind, "contact_name": "联系人", "contact_email": "contact@example.cn"});
    created(s.post(&format!("{M}/units"), Some(t), body).await).await["id"]
        .as_i64()
        .unwrap_or(-1)
}

async fn person(s: &TestSuite, t: &str, name: &str, unit_id: i64, title: &str, born: &str) -> i64 {
    let body = json!({"name": name, "unit_id": unit_id, "job_post": "副校长", "title_level": title,
        "date_of_birth": born, "email": format!("p{unit_id}@example.cn"), "phone": "13812345678"});
    created(s.post(&format!("{M}/people"), Some(t), body).await).await["id"]
        .as_i64()
        .unwrap_or(-1)
}

async fn transition(s: &TestSuite, t: &str, app: i64, body: Value) -> Reply {
    s.post(&format!("{M}/applications/{app}/transitions"), Some(t), body)
        .await
}

#[actix_rt::test]
async fn the_life_of_a_council_from_first_start() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;

    // First start: the council and the expert committee exist.
    let bodies = ok(s.get(&format!("{M}/bodies"), Some(&t)).await).await;
    assert_eq!(bodies["items"][0]["kind"], "council");
    let council = bodies["items"][0]["id"].as_i64().unwrap_or(-1);
    let committee = bodies["items"][1]["id"].as_i64().unwrap_or(-1);

    // R3: the council's first term, four years by default; the committee's twin (第七条).
    let term = created(
        s.post(
            &format!("{M}/bodies/{council}/terms"),
            Some(&t),
            json!({"starts_on": "2024-01-01"}),
        )
        .await,
    )
    .await;
    assert_eq!(term["ends_on"], "2027-12-31");
    assert_eq!(term["label"], "第一届");
    let term_id = term["id"].as_i64().unwrap_or(-1);
    let twin = ok(s.get(&format!("{M}/bodies/{committee}/terms"), Some(&t)).await).await;
    assert_eq!(twin[0]["ends_on"], "2027-12-31");
    s.post(
        &format!("{M}/bodies/{committee}/terms"),
        Some(&t),
        json!({"starts_on": "2028-01-01"}),
    )
    .await
    .problem(409, "follows_council_terms");
    s.post(
        &format!("{M}/bodies/{council}/terms"),
        Some(&t),
        json!({"starts_on": "2027-06-01"}),
    )
    .await
    .problem(409, "term_overlap");

    let center = unit(&s, &t, "机械工业教育发展中心", "center").await;
    let u_a = unit(&s, &t, "天津市机电工艺技师学院", "technical_school").await;
    let u_b = unit(&s, &t, "广州市机电技师学院", "technical_school").await;
    let u_c = unit(&s, &t, "杭州技师学院", "technical_school").await;
    let u_d = unit(&s, &t, "沈阳机床集团", "enterprise").await;
    let chair = person(&s, &t, "王建国", center, "senior", "1968-03-01").await;
    let secretary = person(&s, &t, "李秘书", center, "associate_senior", "1975-07-01").await;
    let good = person(&s, &t, "张伟", u_a, "senior", "1972-05-01").await;
    let old = person(&s, &t, "欧阳堃", u_b, "senior", "1960-01-15").await;
    let junior = person(&s, &t, "赵喆", u_c, "intermediate", "1985-01-01").await;
    let loser = person(&s, &t, "钱犇", u_d, "associate_senior", "1980-01-01").await;

    // Nominated posts: nominate, then appoint (聘任).
    let nominate = |p: i64, post: &str| json!({"body_id": council, "term_id": term_id, "person_id": p, "post": post});
    let n1 = created(
        s.post(&format!("{M}/nominations"), Some(&t), nominate(chair, "chair"))
            .await,
    )
    .await;
    let n2 = created(
        s.post(
            &format!("{M}/nominations"),
            Some(&t),
            nominate(secretary, "secretary_general"),
        )
        .await,
    )
    .await;
    s.post(&format!("{M}/nominations"), Some(&t), nominate(good, "council_member"))
        .await
        .problem(422, "not_a_nominated_post");
    let a_chair = created(
        s.post(
            &format!("{M}/nominations/{}/appointment", n1["id"]),
            Some(&t),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(a_chair["post_label"], "理事长");
    assert_eq!(a_chair["ends_on"], "2027-12-31");
    created(
        s.post(
            &format!("{M}/nominations/{}/appointment", n2["id"]),
            Some(&t),
            json!({}),
        )
        .await,
    )
    .await;
    s.post(
        &format!("{M}/nominations/{}/appointment", n1["id"]),
        Some(&t),
        json!({}),
    )
    .await
    .problem(409, "nomination_closed");
    let detail = ok(s.get(&format!("{M}/bodies/{council}"), Some(&t)).await).await;
    assert_eq!(detail["complete"], true);
    assert_eq!(detail["posts"][0]["holders"][0]["person_name"], "王建国");

    // Three unit applications and one more.
    let apply = |u: i64, p: i64, reason: Option<&str>| {
        json!({"body_id": council, "term_id": term_id, "unit_id": u, "person_id": p, "post": "council_member",
            "statement": "申报理事", "exception_reason": reason})
    };
    let app_good = created(
        s.post(&format!("{M}/applications"), Some(&t), apply(u_a, good, None))
            .await,
    )
    .await;
    // R9: over 60 without a written exception is refused, naming the rule.
    let p = s
        .post(&format!("{M}/applications"), Some(&t), apply(u_b, old, None))
        .await
        .problem(422, "eligibility_exception_required");
    assert!(p.str_at("detail").contains("R9"));
    let app_old = created(
        s.post(
            &format!("{M}/applications"),
            Some(&t),
            apply(u_b, old, Some("行业资深专家，身体健康")),
        )
        .await,
    )
    .await;
    assert_eq!(app_old["flagged"], true);
    assert_eq!(app_old["eligibility_issues"], json!(["over_age_limit"]));
    let app_junior = created(
        s.post(
            &format!("{M}/applications"),
            Some(&t),
            apply(u_c, junior, Some("青年骨干")),
        )
        .await,
    )
    .await;
    let app_loser = created(
        s.post(&format!("{M}/applications"), Some(&t), apply(u_d, loser, None))
            .await,
    )
    .await;

    for a in [&app_good, &app_old, &app_junior, &app_loser] {
        ok(transition(
            &s,
            &t,
            a["id"].as_i64().unwrap_or(-1),
            json!({"action": "start_review"}),
        )
        .await)
        .await;
    }
    let id = |a: &Value| a["id"].as_i64().unwrap_or(-1);
    // R7: reject needs a reason; approve of a flagged one needs explicit acceptance (R9).
    transition(&s, &t, id(&app_junior), json!({"action": "reject"}))
        .await
        .problem(422, "validation_failed");
    let rejected = ok(transition(
        &s,
        &t,
        id(&app_junior),
        json!({"action": "reject", "reason": "职称不符合要求"}),
    )
    .await)
    .await;
    assert_eq!(rejected["status"], "rejected");
    transition(&s, &t, id(&app_old), json!({"action": "approve"}))
        .await
        .problem(422, "exception_not_accepted");
    let approved = ok(transition(
        &s,
        &t,
        id(&app_old),
        json!({"action": "approve", "accept_exception": true}),
    )
    .await)
    .await;
    assert!(approved["exception_accepted_by"].as_str().is_some());
    ok(transition(&s, &t, id(&app_good), json!({"action": "approve"})).await).await;
    ok(transition(&s, &t, id(&app_loser), json!({"action": "approve"})).await).await;
    // R7: appointing before the election is an illegal transition.
    transition(&s, &t, id(&app_good), json!({"action": "appoint"}))
        .await
        .problem(409, "illegal_transition");

    // R10: elections.
    let votes = |f: u32| {
        json!({"action": "record_election", "reason": "2024年全体会议",
        "votes": {"votes_for": f, "votes_against": 40 - f - 2, "abstentions": 2, "voters_present": 40}})
    };
    transition(&s, &t, id(&app_good), json!({"action": "record_election", "votes": {"votes_for": 50, "votes_against": 0, "abstentions": 0, "voters_present": 40}}))
        .await
        .problem(422, "validation_failed");
    // Issue 9: counts beyond the stored range are refused, not wrapped to negative (R10).
    let huge = transition(&s, &t, id(&app_good), json!({"action": "record_election", "votes": {"votes_for": 3_000_000_000u64, "votes_against": 0, "abstentions": 0, "voters_present": 3_000_000_000u64}}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(huge["errors"][0]["code"], "impossible_votes", "{huge}");
    assert_eq!(
        ok(transition(&s, &t, id(&app_good), votes(31)).await).await["status"],
        "elected"
    );
    assert_eq!(
        ok(transition(&s, &t, id(&app_old), votes(21)).await).await["status"],
        "elected"
    );
    let lost = ok(transition(&s, &t, id(&app_loser), votes(20)).await).await;
    assert_eq!(lost["status"], "not_elected");
    assert_eq!(lost["election"]["votes_for"], 20);
    transition(&s, &t, id(&app_loser), json!({"action": "appoint"}))
        .await
        .problem(409, "illegal_transition");

    let done = ok(transition(&s, &t, id(&app_good), json!({"action": "appoint"})).await).await;
    assert_eq!(done["status"], "appointed");
    let history: Vec<&str> = done["history"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["to_status"].as_str())
        .collect();
    assert_eq!(
        history,
        ["under_review", "approved_for_election", "elected", "appointed"]
    );
    let appt_good = done["appointment_id"].as_i64().unwrap_or(-1);
    let done_old = ok(transition(&s, &t, id(&app_old), json!({"action": "appoint"})).await).await;
    let appt_old = done_old["appointment_id"].as_i64().unwrap_or(-1);

    // The units are council member units now.
    let members = ok(s.get(&format!("{M}/units?council_member=true"), Some(&t)).await).await;
    let names: Vec<&str> = members["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["name"].as_str())
        .collect();
    assert!(
        names.contains(&"天津市机电工艺技师学院") && !names.contains(&"沈阳机床集团"),
        "{names:?}"
    );

    // A collaboration group: director nominated by the Center; its secretariat follows the director (R2).
    let group = created(
        s.post(
            &format!("{M}/bodies"),
            Some(&t),
            json!({"name": "数控技术专业建设协作组", "specialty": "数控技术"}),
        )
        .await,
    )
    .await;
    let gid = group["id"].as_i64().unwrap_or(-1);
    let gterm = created(
        s.post(
            &format!("{M}/bodies/{gid}/terms"),
            Some(&t),
            json!({"starts_on": "2025-01-01"}),
        )
        .await,
    )
    .await;
    let gterm_id = gterm["id"].as_i64().unwrap_or(-1);
    let director = person(&s, &t, "孙主任", u_a, "senior", "1975-01-01").await;
    let nd = created(
        s.post(
            &format!("{M}/nominations"),
            Some(&t),
            json!({"body_id": gid, "term_id": gterm_id, "person_id": director, "post": "director"}),
        )
        .await,
    )
    .await;
    created(
        s.post(
            &format!("{M}/nominations/{}/appointment", nd["id"]),
            Some(&t),
            json!({}),
        )
        .await,
    )
    .await;
    let gdetail = ok(s.get(&format!("{M}/bodies/{gid}"), Some(&t)).await).await;
    assert_eq!(gdetail["secretariat_unit"]["id"], u_a);
    assert_eq!(
        gdetail["complete"], false,
        "the group's secretary-general is still vacant"
    );
    // R8: group posts come from council member units.
    let outsider = person(&s, &t, "周工程师", u_d, "senior", "1978-01-01").await;
    let insider = person(&s, &t, "吴老师", u_a, "intermediate", "1988-01-01").await;
    let gapply =
        |u: i64, p: i64| json!({"body_id": gid, "term_id": gterm_id, "unit_id": u, "person_id": p, "post": "member"});
    s.post(&format!("{M}/applications"), Some(&t), gapply(u_d, outsider))
        .await
        .problem(422, "not_a_council_member_unit");
    let ga = created(
        s.post(&format!("{M}/applications"), Some(&t), gapply(u_a, insider))
            .await,
    )
    .await;
    assert_eq!(ga["flagged"], false, "R9 is the council's rule, not the groups'");
    for action in ["start_review", "approve", "appoint"] {
        ok(transition(&s, &t, id(&ga), json!({"action": action})).await).await;
    }

    // Resignation (R11): requested, then approved by the Center.
    created(
        s.post(
            &format!("{M}/appointments/{appt_good}/resignation"),
            Some(&t),
            json!({"reason": "工作调动"}),
        )
        .await,
    )
    .await;
    s.post(
        &format!("{M}/appointments/{appt_good}/resignation"),
        Some(&t),
        json!({"reason": "again"}),
    )
    .await
    .problem(409, "resignation_open");
    let resigned = ok(s
        .post(
            &format!("{M}/appointments/{appt_good}/resignation/decision"),
            Some(&t),
            json!({"approve": true, "reason": "同意"}),
        )
        .await)
    .await;
    assert_eq!(resigned["status"], "resigned");
    assert_eq!(resigned["end_reason"], "工作调动");
    // Dismissal for conduct (R12) needs a reason.
    s.post(
        &format!("{M}/appointments/{appt_old}/dismissal"),
        Some(&t),
        json!({"reason": " "}),
    )
    .await
    .problem(422, "validation_failed");
    let dismissed = ok(s
        .post(
            &format!("{M}/appointments/{appt_old}/dismissal"),
            Some(&t),
            json!({"reason": "从事有损联盟社会信誉的行为"}),
        )
        .await)
    .await;
    assert_eq!(dismissed["status"], "dismissed");
    assert_eq!(dismissed["dismissal_ground"], "conduct");
    s.post(
        &format!("{M}/appointments/{appt_old}/dismissal"),
        Some(&t),
        json!({"reason": "x"}),
    )
    .await
    .problem(409, "appointment_not_active");
    // Nothing is deleted: ended appointments stay in the history.
    let hist = ok(s.get(&format!("{M}/appointments?body_id={council}"), Some(&t)).await).await;
    let statuses: Vec<&str> = hist["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["status"].as_str())
        .collect();
    assert_eq!(statuses, ["active", "active", "resigned", "dismissed"]);

    // Audit: who did what, why.
    let audit = ok(s
        .get(
            &format!("{M}/audit-events?entity=appointment&entity_id={appt_old}"),
            Some(&t),
        )
        .await)
    .await;
    let last = audit["items"]
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or_else(|| panic!("no audit event: {audit}"));
    assert_eq!(last["action"], "dismissed");
    assert_eq!(last["actor"], "account:1");
    assert_eq!(last["before"]["status"], "active");
    assert_eq!(last["after"]["status"], "dismissed");
    s.stop().await;
}

#[actix_rt::test]
async fn term_end_lapses_the_non_renewed_and_renewal_links_the_next_term() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let g = created(
        s.post(
            &format!("{M}/bodies"),
            Some(&t),
            json!({"name": "工业机器人专业建设协作组", "specialty": "工业机器人"}),
        )
        .await,
    )
    .await;
    let gid = g["id"].as_i64().unwrap_or(-1);
    let t1 = created(
        s.post(
            &format!("{M}/bodies/{gid}/terms"),
            Some(&t),
            json!({"starts_on": "2020-01-01"}),
        )
        .await,
    )
    .await;
    let t1_id = t1["id"].as_i64().unwrap_or(-1);
    assert_eq!(t1["ends_on"], "2023-12-31");
    let u = unit(&s, &t, "常州技师学院", "technical_school").await;
    let stay = person(&s, &t, "连任者", u, "senior", "1970-01-01").await;
    let go = person(&s, &t, "届满者", u, "senior", "1971-01-01").await;
    let mut appointments = vec![];
    for (p, post) in [(stay, "director"), (go, "secretary_general")] {
        let n = created(
            s.post(
                &format!("{M}/nominations"),
                Some(&t),
                json!({"body_id": gid, "term_id": t1_id, "person_id": p, "post": post}),
            )
            .await,
        )
        .await;
        // R4: outside the term is refused; a mid-term addition ends with the term.
        s.post(
            &format!("{M}/nominations/{}/appointment", n["id"]),
            Some(&t),
            json!({"starts_on": "2024-02-01"}),
        )
        .await
        .problem(422, "outside_term");
        let a = created(
            s.post(
                &format!("{M}/nominations/{}/appointment", n["id"]),
                Some(&t),
                json!({"starts_on": "2021-06-15"}),
            )
            .await,
        )
        .await;
        assert_eq!(a["ends_on"], "2023-12-31");
        appointments.push(a["id"].as_i64().unwrap_or(-1));
    }
    // R5: renewal needs the next term.
    s.post(
        &format!("{M}/appointments/{}/renewals", appointments[0]),
        Some(&t),
        json!({}),
    )
    .await
    .problem(422, "no_next_term");
    created(
        s.post(
            &format!("{M}/bodies/{gid}/terms"),
            Some(&t),
            json!({"starts_on": "2024-01-01"}),
        )
        .await,
    )
    .await;
    let renewed = created(
        s.post(
            &format!("{M}/appointments/{}/renewals", appointments[0]),
            Some(&t),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(renewed["previous_appointment_id"], appointments[0]);
    assert_eq!(renewed["term_number"], 2);
    assert_eq!(
        renewed["status"], "active",
        "term 2 has begun, so the renewal starts now"
    );
    s.post(
        &format!("{M}/appointments/{}/renewals", appointments[0]),
        Some(&t),
        json!({}),
    )
    .await
    .problem(409, "not_renewable");

    // R6: the lapse job ends the non-renewed; running it again changes nothing.
    let first = ok(s.post(&format!("{M}/jobs/run"), Some(&t), json!({})).await).await;
    assert_eq!(first["lapsed"], 1);
    assert_eq!(first["terms_closed"], 1);
    let again = ok(s.post(&format!("{M}/jobs/run"), Some(&t), json!({})).await).await;
    assert_eq!(
        (again["lapsed"].as_i64(), again["terms_closed"].as_i64()),
        (Some(0), Some(0))
    );
    let lapsed = ok(s.get(&format!("{M}/appointments/{}", appointments[1]), Some(&t)).await).await;
    assert_eq!(lapsed["status"], "lapsed");
    assert_eq!(lapsed["ended_on"], "2023-12-31");
    let old = ok(s.get(&format!("{M}/appointments/{}", appointments[0]), Some(&t)).await).await;
    assert_eq!(old["status"], "completed");
    // R5: a lapsed appointment cannot be renewed.
    s.post(
        &format!("{M}/appointments/{}/renewals", appointments[1]),
        Some(&t),
        json!({}),
    )
    .await
    .problem(409, "not_renewable");
    // The lapse was done by the system and is in the audit log.
    let audit = ok(s
        .get(
            &format!(
                "{M}/audit-events?entity=appointment&entity_id={}&action=lapse",
                appointments[1]
            ),
            Some(&t),
        )
        .await)
    .await;
    assert_eq!(audit["items"][0]["actor"], "system:lapse");
    s.stop().await;
}

#[actix_rt::test]
async fn r1_twenty_concurrent_appointments_to_the_chair_leave_one_holder() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let term = created(
        s.post(
            &format!("{M}/bodies/1/terms"),
            Some(&t),
            json!({"starts_on": "2025-01-01"}),
        )
        .await,
    )
    .await;
    let u = unit(&s, &t, "并发测试学院", "technical_school").await;
    let mut nominations = vec![];
    for i in 0..20 {
        let p = person(&s, &t, &format!("候选人{i}"), u, "senior", "1970-01-01").await;
        let n = created(
            s.post(
                &format!("{M}/nominations"),
                Some(&t),
                json!({"body_id": 1, "term_id": term["id"], "person_id": p, "post": "chair"}),
            )
            .await,
        )
        .await;
        nominations.push(n["id"].as_i64().unwrap_or(-1));
    }
    let requests = nominations.iter().map(|n| {
        let url = format!("{}{M}/nominations/{n}/appointment", s.url);
        let req = s
            .client
            .post(url)
            .insert_header(("authorization", format!("Bearer {t}")));
        async move {
            let mut res = req.send_json(&json!({})).await.unwrap_or_else(|e| panic!("{e}"));
            let body = res
                .body()
                .await
                .map(|b| b.to_vec())
                .unwrap_or_else(|e| panic!("reading the body: {e}"));
            (
                res.status().as_u16(),
                serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
            )
        }
    });
    let results = futures_util::future::join_all(requests).await;
    let won = results.iter().filter(|(st, _)| *st == 201).count();
    let lost: Vec<&Value> = results.iter().filter(|(st, _)| *st == 409).map(|(_, b)| b).collect();
    assert_eq!(won, 1, "{results:?}");
    assert_eq!(lost.len(), 19, "{results:?}");
    assert!(lost.iter().all(|b| b["code"] == "post_occupied"));
    let holders = ok(s
        .get(&format!("{M}/appointments?post=chair&status=active"), Some(&t))
        .await)
    .await;
    assert_eq!(holders["items"].as_array().map(Vec::len), Some(1));
    s.stop().await;
}

#[actix_rt::test]
async fn access_follows_roles_and_scopes() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let mine = unit(&s, &t, "甲学院", "technical_school").await;
    let other = unit(&s, &t, "乙学院", "technical_school").await;
    let p_mine = person(&s, &t, "甲某", mine, "senior", "1970-01-01").await;
    let p_other = person(&s, &t, "乙某", other, "senior", "1970-01-01").await;
    let contact = s.token_for("unit_contact", Some(&format!("unit:{mine}"))).await;
    let member = s.token_for("member", Some(&format!("person:{p_mine}"))).await;
    let secretary = s.token_for("group_secretary", Some("group:99")).await;

    // A unit's contact person, like its e-mail, is personal data (issue 14): the Center and the
    // unit's own contact see it, a member of another role does not.
    let contact_fields = |u: &Value| (u["contact_name"].clone(), u["contact_email"].clone());
    let as_admin = ok(s.get(&format!("{M}/units/{mine}"), Some(&t)).await).await;
    assert_eq!(
        contact_fields(&as_admin),
        (json!("联系人"), json!("contact@example.cn"))
    );
    let as_contact = ok(s.get(&format!("{M}/units/{mine}"), Some(&contact)).await).await;
    assert_eq!(contact_fields(&as_contact).0, json!("联系人"));
    let as_member = ok(s.get(&format!("{M}/units/{mine}"), Some(&member)).await).await;
    assert_eq!(contact_fields(&as_member), (Value::Null, Value::Null), "{as_member}");

    // A unit contact: their unit's people, with personal data; not another unit's.
    let own = ok(s.get(&format!("{M}/people/{p_mine}"), Some(&contact)).await).await;
    assert_eq!(own["email"], format!("p{mine}@example.cn"));
    s.get(&format!("{M}/people/{p_other}"), Some(&contact))
        .await
        .problem(403, "forbidden");
    let listed = ok(s.get(&format!("{M}/people"), Some(&contact)).await).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    s.post(
        &format!("{M}/people"),
        Some(&contact),
        json!({"name": "新人", "unit_id": other, "title_level": "none"}),
    )
    .await
    .problem(403, "forbidden");
    created(
        s.post(
            &format!("{M}/people"),
            Some(&contact),
            json!({"name": "新人", "unit_id": mine, "title_level": "none"}),
        )
        .await,
    )
    .await;
    let term = created(
        s.post(
            &format!("{M}/bodies/1/terms"),
            Some(&t),
            json!({"starts_on": "2025-01-01"}),
        )
        .await,
    )
    .await;
    s.post(
        &format!("{M}/applications"),
        Some(&contact),
        json!({"body_id": 1, "term_id": term["id"], "unit_id": other, "person_id": p_other, "post": "council_member"}),
    )
    .await
    .problem(403, "forbidden");
    // Nominations, dismissals and the audit log are the Center's.
    s.post(
        &format!("{M}/nominations"),
        Some(&contact),
        json!({"body_id": 1, "term_id": term["id"], "person_id": p_mine, "post": "chair"}),
    )
    .await
    .problem(403, "forbidden");
    s.get(&format!("{M}/audit-events"), Some(&secretary))
        .await
        .problem(403, "forbidden");
    // A group secretary proposes members for their own group only.
    let g = created(
        s.post(
            &format!("{M}/bodies"),
            Some(&t),
            json!({"name": "焊接专业建设协作组", "specialty": "焊接"}),
        )
        .await,
    )
    .await;
    s.post(
        &format!("{M}/applications"),
        Some(&secretary),
        json!({"body_id": g["id"], "term_id": term["id"], "unit_id": mine, "person_id": p_mine, "post": "member"}),
    )
    .await
    .problem(403, "forbidden");
    // A member cannot resign someone else, nor see another's appointments.
    let listed = ok(s.get(&format!("{M}/appointments"), Some(&member)).await).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(0));
    s.post(
        &format!("{M}/units"),
        Some(&secretary),
        json!({"name": "x", "kind": "enterprise"}),
    )
    .await
    .problem(403, "forbidden");

    // A member: their own record only; others' personal data hidden from roles that need none.
    ok(s.get(&format!("{M}/people/{p_mine}"), Some(&member)).await).await;
    s.get(&format!("{M}/people/{p_other}"), Some(&member))
        .await
        .problem(403, "forbidden");
    let seen_by_secretary = ok(s.get(&format!("{M}/people/{p_other}"), Some(&secretary)).await).await;
    assert!(seen_by_secretary.get("email").is_none() && seen_by_secretary.get("date_of_birth").is_none());
    // Internal routes need a service token with the internal scope.
    s.post("/internal/v1/events", Some(&t), json!({}))
        .await
        .problem(404, "route_not_found");
    s.stop().await;
}

#[actix_rt::test]
async fn bad_people_and_units_get_per_field_errors() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let u = unit(&s, &t, "校验学院", "technical_school").await;
    let r = s
        .post(&format!("{M}/people"), Some(&t),
            json!({"name": "", "unit_id": u, "title_level": "senior", "email": "not-mail", "phone": "123", "date_of_birth": "1800-01-01"}))
        .await;
    let p = r.problem(422, "validation_failed");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "date_of_birth", "email", "phone"]);
    s.post(
        &format!("{M}/people"),
        Some(&t),
        json!({"name": "某", "unit_id": u, "title_level": "professor"}),
    )
    .await
    .problem(422, "invalid_body");
    s.post(
        &format!("{M}/people"),
        Some(&t),
        json!({"name": "某", "unit_id": 9999, "title_level": "senior"}),
    )
    .await
    .problem(422, "validation_failed");
    s.post(
        &format!("{M}/units"),
        Some(&t),
        json!({"name": "校验学院", "kind": "enterprise"}),
    )
    .await
    .problem(409, "unit_name_taken");
    // Search is case-insensitive and treats wildcards literally.
    created(
        s.post(
            &format!("{M}/units"),
            Some(&t),
            json!({"name": "ABC Robotics 100%", "kind": "enterprise"}),
        )
        .await,
    )
    .await;
    let found = ok(s.get(&format!("{M}/units?q=robotics%20100%25"), Some(&t)).await).await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1));
    let none = ok(s.get(&format!("{M}/units?q=%25%25%25x"), Some(&t)).await).await;
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0));
    s.stop().await;
}

#[actix_rt::test]
async fn labels_give_chinese_for_every_enum_and_there_are_no_fees() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let l = ok(s.get(&format!("{M}/labels"), Some(&t)).await).await;
    assert_eq!(l["post"]["chair"], "理事长");
    assert_eq!(l["post"]["guiding_expert"], "指导专家");
    assert_eq!(l["title_level"]["associate_senior"], "副高级");
    assert_eq!(l["assessment_result"]["basically_competent"], "基本合格");
    assert_eq!(l["document_kind"]["appointment_certificate"], "聘书");
    // R17: no fee or payment feature exists.
    let doc: Value = serde_json::from_str(&openapi::merged_json())
        .unwrap_or_else(|e| panic!("the merged contract is not JSON: {e}"));
    let paths = doc["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect::<Vec<_>>())
        .expect("the merged contract has paths");
    assert!(
        paths.iter().all(|p| !p.contains("fee") && !p.contains("payment")),
        "{paths:?}"
    );
    s.stop().await;
}

#[actix_rt::test]
async fn csv_import_reports_every_bad_row_then_commits_all_or_nothing_and_the_roster_exports() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let import = |commit: bool, csv: &str| {
        let path = format!("{M}/people:import?commit={commit}");
        let body = csv.as_bytes().to_vec();
        let (s, t) = (&s, &t);
        async move { s.send("POST", &path, Some(t), Some(("text/csv", body))).await }
    };
    let bad = "单位名称,单位类型,姓名,职务,职称级别,出生日期,电子邮箱,联系电话,专业背景\n\
               天津市机电工艺技师学院,技工院校,张伟,副校长,正高级,1970-05-01,zw@example.cn,13812345678,数控技术\n\
               杭州技师学院,学校,李娜,教师,副高级,1980-02-30,bad-mail,123,机电\n\
               杭州技师学院,技工院校,,教师,中级,,,,\n";
    let report = ok(import(false, bad).await).await;
    assert_eq!(report["committed"], false);
    assert_eq!(report["valid_rows"], 1);
    let lines: Vec<(i64, &str)> = report["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| (e["line"].as_i64().unwrap_or(0), e["code"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        lines,
        [
            (3, "invalid_unit_kind"),
            (3, "invalid_date"),
            (3, "invalid_email"),
            (3, "invalid_phone"),
            (4, "required")
        ]
    );
    // Commit with bad rows: refused, nothing written.
    let p = import(true, bad).await.problem(422, "import_invalid");
    assert_eq!(p["errors"][0]["field"], "line 3: unit_kind");
    let people = ok(s.get(&format!("{M}/people"), Some(&t)).await).await;
    assert_eq!(people["items"].as_array().map(Vec::len), Some(0));
    // Not a CSV of people (a JSON array, a header without the required columns): refused on a
    // dry run too, naming each missing column.
    for not_csv in ["[]", "姓名,职务\n张伟,副校长\n"] {
        let p = import(false, not_csv).await.problem(422, "import_invalid");
        let codes: Vec<&str> = p["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["code"].as_str())
            .collect();
        assert!(
            !codes.is_empty() && codes.iter().all(|c| *c == "missing_column"),
            "{not_csv}: {p}"
        );
    }

    let good = "unit_name,unit_kind,name,title_level,date_of_birth,email\n\
                天津市机电工艺技师学院,technical_school,张伟,senior,1970-05-01,zw@example.cn\n\
                天津市机电工艺技师学院,technical_school,王芳,associate_senior,1978-03-03,wf@example.cn\n\
                沈阳机床集团,enterprise,刘工,senior,1975-09-09,\n";
    let done = ok(import(true, good).await).await;
    assert_eq!(
        (done["committed"].as_bool(), done["units_to_create"].as_i64()),
        (Some(true), Some(2))
    );
    let people = ok(s.get(&format!("{M}/people?q=%E5%BC%A0"), Some(&t)).await).await;
    assert_eq!(people["items"][0]["unit_name"], "天津市机电工艺技师学院");
    // The same file again: every person exists now.
    let again = ok(import(false, good).await).await;
    assert_eq!(again["errors"].as_array().map(Vec::len), Some(3));

    // Roster export with Chinese headers, CSV and XLSX.
    let term = created(
        s.post(
            &format!("{M}/bodies/1/terms"),
            Some(&t),
            json!({"starts_on": "2025-01-01"}),
        )
        .await,
    )
    .await;
    let pid = people["items"][0]["id"].as_i64().unwrap_or(-1);
    let n = created(
        s.post(
            &format!("{M}/nominations"),
            Some(&t),
            json!({"body_id": 1, "term_id": term["id"], "person_id": pid, "post": "chair"}),
        )
        .await,
    )
    .await;
    created(
        s.post(&format!("{M}/nominations/{}/appointment", n["id"]), Some(&t), json!({}))
            .await,
    )
    .await;
    let csv = s.get(&format!("{M}/people:export?body_id=1"), Some(&t)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    assert!(text.starts_with('\u{FEFF}'));
    assert!(text.contains("机构,届次,职务,姓名,单位"));
    assert!(
        text.contains("理事会,第一届,理事长,张伟,天津市机电工艺技师学院,正高级"),
        "{text}"
    );
    let xlsx = s
        .get(&format!("{M}/people:export?format=xlsx&status=active"), Some(&t))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"), "an XLSX is a zip file");
    s.get(&format!("{M}/people:export?format=pdf"), Some(&t))
        .await
        .problem(400, "invalid_format");
    s.stop().await;
}

/// R6 for late entries (issue 9, point 6): the lapse job closes a term once and never looks at
/// it again, so an appointment entered into a closed term (back-filling history) must lapse at
/// once, by `system:lapse`, with its lapse notice, and a later run changes nothing.
#[actix_rt::test]
async fn r6_an_appointment_entered_into_a_closed_term_lapses_at_once_with_its_notice() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let g = created(
        s.post(
            &format!("{M}/bodies"),
            Some(&t),
            json!({"name": "数控技术专业建设协作组", "specialty": "数控技术"}),
        )
        .await,
    )
    .await;
    let gid = g["id"].as_i64().unwrap_or(-1);
    let term = created(
        s.post(
            &format!("{M}/bodies/{gid}/terms"),
            Some(&t),
            json!({"starts_on": "2019-01-01"}),
        )
        .await,
    )
    .await;
    let term_id = term["id"].as_i64().unwrap_or(-1);
    // The term ended on 2022-12-31; the job closes it (it may already have, at start).
    ok(s.post(&format!("{M}/jobs/run"), Some(&t), json!({})).await).await;

    let u = unit(&s, &t, "沈阳技师学院", "technical_school").await;
    let p = person(&s, &t, "补录者", u, "senior", "1970-01-01").await;
    let n = created(
        s.post(
            &format!("{M}/nominations"),
            Some(&t),
            json!({"body_id": gid, "term_id": term_id, "person_id": p, "post": "director"}),
        )
        .await,
    )
    .await;
    let a = created(
        s.post(
            &format!("{M}/nominations/{}/appointment", n["id"]),
            Some(&t),
            json!({"starts_on": "2020-03-01"}),
        )
        .await,
    )
    .await;
    let id = a["id"].as_i64().unwrap_or(-1);
    assert_eq!(a["status"], "lapsed", "{a}");
    assert_eq!(a["ended_on"], "2022-12-31");
    let read = ok(s.get(&format!("{M}/appointments/{id}"), Some(&t)).await).await;
    assert_eq!(read["status"], "lapsed");

    let audit = ok(s
        .get(
            &format!("{M}/audit-events?entity=appointment&entity_id={id}&action=lapse"),
            Some(&t),
        )
        .await)
    .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1), "{audit}");
    assert_eq!(audit["items"][0]["actor"], "system:lapse");
    assert_eq!(audit["items"][0]["before"]["status"], "active");

    // The lapse notice (R14) is issued as for a lapse at term end.
    let notice = eventually(30, "the late entry's lapse notice", || async {
        let r = s
            .get(
                &format!("/api/v1/documents?appointment_id={id}&kind=lapse_notice"),
                Some(&t),
            )
            .await;
        r.json()["items"].as_array().and_then(|items| items.first().cloned())
    })
    .await;
    assert_eq!(notice["kind"], "lapse_notice");

    let again = ok(s.post(&format!("{M}/jobs/run"), Some(&t), json!({})).await).await;
    assert_eq!(
        (again["lapsed"].as_i64(), again["completed"].as_i64()),
        (Some(0), Some(0))
    );
    s.stop().await;
}

/// Issue 9 (point 5): text the documents' fonts cannot print (here 😀 and a private-use
/// character) is refused at the edge with per-field errors naming the characters, so no
/// appointment is ever made whose 聘书 cannot be issued; whitespace allowed before still is.
#[actix_rt::test]
async fn people_and_units_with_characters_the_documents_cannot_print_are_refused() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let unprintable = |p: &Value| -> Vec<(String, String)> {
        p["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["code"] == "unprintable_characters")
            .map(|e| (e.str_at("field").to_owned(), e.str_at("message").to_owned()))
            .collect()
    };
    let r = s
        .post(
            &format!("{M}/units"),
            Some(&t),
            json!({"name": "笑脸😀学院", "kind": "technical_school"}),
        )
        .await;
    let p = r.problem(422, "validation_failed");
    let found = unprintable(&p);
    assert_eq!(found.len(), 1, "{p}");
    assert_eq!(found[0].0, "name");
    assert!(found[0].1.contains("😀 (U+1F600)"), "{p}");

    let u = unit(&s, &t, "天津市 机电工艺技师学院", "technical_school").await;
    let r = s
        .post(
            &format!("{M}/people"),
            Some(&t),
            json!({"name": "王😀伟", "unit_id": u, "job_post": "副校长\u{E000}", "specialty": "数控😀",
                "title_level": "senior"}),
        )
        .await;
    let p = r.problem(422, "validation_failed");
    let fields: Vec<String> = unprintable(&p).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["name", "job_post", "specialty"], "{p}");
    assert!(p.to_string().contains("U+E000"), "{p}");

    // A rename is checked too; names the fonts print (rare characters, spaces) pass.
    let id = person(&s, &t, "欧阳堃", u, "senior", "1970-01-01").await;
    let p = s
        .patch(&format!("{M}/people/{id}"), Some(&t), json!({"name": "欧阳😀"}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(unprintable(&p).len(), 1, "{p}");
    let g = s
        .post(
            &format!("{M}/bodies"),
            Some(&t),
            json!({"name": "协作组😀", "specialty": "工业机器人"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(unprintable(&g).len(), 1, "{g}");
    let kept = ok(s.get(&format!("{M}/people/{id}"), Some(&t)).await).await;
    assert_eq!(kept["name"], "欧阳堃");
    s.stop().await;
}

/// Issue 9 (point 12): the audit record names the request that made the change (the client's
/// `X-Request-Id`, kept by the gateway), and a JSON array where an object is documented is
/// refused: serde would take `["name", …]` as the fields in order, so a PATCH renamed the unit.
#[actix_rt::test]
async fn audit_records_carry_the_request_id_and_array_bodies_are_refused() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let mut res = s
        .client
        .post(format!("{}{M}/units", s.url))
        .insert_header(("authorization", format!("Bearer {t}")))
        .insert_header(("x-request-id", "e2e-audit-7f3a"))
        .send_json(&json!({"name": "请求编号学院", "kind": "technical_school"}))
        .await
        .unwrap_or_else(|e| panic!("POST units: {e}"));
    assert_eq!(res.status(), StatusCode::CREATED);
    let unit: Value = res
        .json()
        .await
        .unwrap_or_else(|e| panic!("the created unit is not JSON: {e}"));
    let id = unit["id"].as_i64().unwrap_or(-1);
    let audit = ok(s
        .get(&format!("{M}/audit-events?entity=unit&entity_id={id}"), Some(&t))
        .await)
    .await;
    assert_eq!(audit["items"][0]["action"], "create", "{audit}");
    assert_eq!(audit["items"][0]["request_id"], "e2e-audit-7f3a", "{audit}");
    // Without one from the client, the gateway's own id is recorded: the one its answer names.
    let answered = s
        .patch(&format!("{M}/units/{id}"), Some(&t), json!({"address": "天津市"}))
        .await
        .header("x-request-id");
    let audit = ok(s
        .get(
            &format!("{M}/audit-events?entity=unit&entity_id={id}&action=update"),
            Some(&t),
        )
        .await)
    .await;
    let generated = audit["items"][0].str_at("request_id");
    assert!(!generated.is_empty() && generated != "e2e-audit-7f3a", "{audit}");
    assert_eq!(
        answered.as_deref(),
        Some(generated),
        "the answer's id is the recorded one"
    );

    for body in [json!(["改名学院", null, null]), json!("改名学院"), json!(null)] {
        s.patch(&format!("{M}/units/{id}"), Some(&t), body.clone())
            .await
            .problem(422, "invalid_body");
    }
    s.post(&format!("{M}/units"), Some(&t), json!(["数组学院", "enterprise"]))
        .await
        .problem(422, "invalid_body");
    let kept = ok(s.get(&format!("{M}/units/{id}"), Some(&t)).await).await;
    assert_eq!(kept["name"], "请求编号学院");
    s.stop().await;
}

/// Issue 11: the people search is served by the name index (`person_name_grams`); it finds a
/// name by any part of it, of one, two or more characters, case-insensitively, follows renames,
/// treats `%` and `_` as text, and pages like any list.
#[actix_rt::test]
async fn people_search_finds_every_part_of_a_name_and_follows_renames() {
    let s = TestSuite::start().await;
    let t = s.admin_token().await;
    let u = unit(&s, &t, "搜索测试学院", "technical_school").await;
    let mut ids = std::collections::HashMap::new();
    for name in ["欧阳建国", "王建国", "王芳", "Zhang Wei", "李%明", "建"] {
        ids.insert(name, person(&s, &t, name, u, "senior", "1970-01-01").await);
    }
    let search = |q: &'static str| {
        let (s, t) = (&s, &t);
        async move {
            let path = format!("{M}/people?limit=100&unit_id={u}&q={}", urlencode(q));
            let page = ok(s.get(&path, Some(t)).await).await;
            let mut names: Vec<String> = page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect();
            names.sort();
            names
        }
    };
    let want = |names: &[&str]| {
        let mut v: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(search("建国").await, want(&["欧阳建国", "王建国"]));
    assert_eq!(search("建").await, want(&["欧阳建国", "王建国", "建"]));
    assert_eq!(search(" 王 ").await, want(&["王建国", "王芳"]));
    assert_eq!(search("欧阳建国").await, want(&["欧阳建国"]));
    assert_eq!(search("阳建国").await, want(&["欧阳建国"]));
    // Every pair of 欧阳国 is in no name, and 建国欧 has pairs of 欧阳建国 in the wrong order.
    assert_eq!(search("欧阳国").await, want(&[]));
    assert_eq!(search("国欧").await, want(&[]));
    assert_eq!(search("欧阳").await, want(&["欧阳建国"]));
    assert_eq!(search("司马").await, want(&[]));
    assert_eq!(search("ZHANG w").await, want(&["Zhang Wei"]));
    assert_eq!(search("%").await, want(&["李%明"]));
    assert_eq!(search("_").await, want(&[]));
    assert_eq!(search("李%明").await, want(&["李%明"]));

    // A rename: the old name is no longer found, the new one is.
    let renamed = s
        .patch(
            &format!("{M}/people/{}", ids["王芳"]),
            Some(&t),
            json!({"name": "司马芳"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text());
    assert_eq!(search("王").await, want(&["王建国"]));
    assert_eq!(search("司马").await, want(&["司马芳"]));

    // Pages of a search: one at a time, every match once, in id order.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("{M}/people?limit=1&unit_id={u}&q=%E5%BB%BA{cursor}");
        let page = ok(s.get(&path, Some(&t)).await).await;
        seen.extend(
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["id"].as_i64()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
        assert!(seen.len() <= 3, "the pages do not end: {seen:?}");
    }
    let mut want_ids = vec![ids["欧阳建国"], ids["王建国"], ids["建"]];
    want_ids.sort_unstable();
    assert_eq!(seen, want_ids);
}

fn urlencode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
