//! Tests of the complaint rules: the matrix, overrides and the legal gate.

use super::*;

fn g(v: i64) -> Grade {
    Grade::try_from(v).expect("grade")
}

#[test]
fn the_matrix_grades_severity_legal_review_and_the_emergency_plan() {
    let cell = |u, i| {
        let s = suggest(g(u), g(i));
        (s.severity, s.legal, s.emergency)
    };
    assert_eq!(cell(1, 1), (Severity::General, false, false));
    assert_eq!(cell(1, 2), (Severity::General, false, false));
    assert_eq!(cell(3, 1), (Severity::Serious, false, false));
    assert_eq!(cell(2, 2), (Severity::Serious, true, false));
    assert_eq!(cell(2, 3), (Severity::Major, true, true));
    assert_eq!(cell(3, 3), (Severity::Extraordinary, true, true));
    // Symmetric: urgency and impact weigh alike.
    for u in 1..=3 {
        for i in 1..=3 {
            assert_eq!(cell(u, i), cell(i, u));
        }
    }
    assert_eq!(
        Grade::try_from(0).map_err(|e| e.code()),
        Err("invalid_value")
    );
    assert_eq!(
        Grade::try_from(4).map_err(|e| e.code()),
        Err("invalid_value")
    );
    assert!(serde_json::from_str::<NewAssessment>(r#"{"urgency":5,"impact":1}"#).is_err());
}

#[test]
fn overriding_the_matrix_towards_less_care_needs_a_reason() {
    let a = |severity, risky, note: Option<&str>| NewAssessment {
        urgency: g(2),
        impact: g(2),
        severity,
        risky,
        note: note.map(str::to_string),
    };
    let taken = a(None, None, None)
        .validated()
        .expect("the matrix as it is");
    assert_eq!((taken.severity, taken.risky), (Severity::Serious, true));
    assert_eq!(
        a(None, Some(false), None).validated().map_err(|e| e.code()),
        Err("required")
    );
    assert_eq!(
        a(Some(Severity::General), None, None)
            .validated()
            .map_err(|e| e.code()),
        Err("required")
    );
    let lowered = a(Some(Severity::General), Some(false), Some("来电人已撤回"))
        .validated()
        .expect("with a reason");
    assert_eq!(
        (lowered.severity, lowered.risky),
        (Severity::General, false)
    );
    // More care needs no reason.
    let raised = a(Some(Severity::Major), Some(true), None)
        .validated()
        .expect("raised");
    assert_eq!(raised.severity, Severity::Major);
}

#[test]
fn severities_are_the_four_levels_of_the_response() {
    let levels: Vec<i64> = Severity::ALL
        .iter()
        .map(|s| incident_level(*s).get())
        .collect();
    assert_eq!(levels, [1, 2, 3, 4]);
}

#[test]
fn a_risky_answer_is_held_until_the_latest_opinion_clears_it() {
    assert!(!relay_held(false, None));
    assert!(relay_held(true, None));
    assert!(relay_held(true, Some(LegalOutcome::Revise)));
    assert!(!relay_held(true, Some(LegalOutcome::Cleared)));
}

#[test]
fn complaints_in_person_are_acknowledged_at_once() {
    assert!(acknowledged_at_intake(Channel::Phone));
    assert!(acknowledged_at_intake(Channel::WalkIn));
    assert!(!acknowledged_at_intake(Channel::Email));
    assert!(!acknowledged_at_intake(Channel::Letter));
}
