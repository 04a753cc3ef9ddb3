//! Quality assurance of calls (录音抽查): scorecards, the monthly sample and the review of a
//! scored call — acknowledged by the agent, or disputed and decided by a second reviewer.

pub mod calibration;
pub mod sampling;
pub mod scorecard;

str_enum!(
    /// Where a spot check stands.
    ReviewStatus {
        Assigned = "assigned",
        Scored = "scored",
        Acknowledged = "acknowledged",
        Disputed = "disputed",
        /// A second reviewer decided the dispute; their score stands.
        Decided = "decided",
    }
);
