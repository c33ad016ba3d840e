//! Customer segments: cohort retention tables, RFM scores with the
//! standard named segments, and saved segments (a condition of the rules
//! engine evaluated over the dataset as of a time).
//!
//! One idea per file: [`cohorts`] (retention by acquisition period,
//! mergeable), [`rfm_segments`](mod@rfm_segments) (quintile scores and the 11 named
//! segments), [`saved`] (membership, counts, entered and left).
//!
//! ```
//! use crmkit::segments::{RfmSegment, rfm_segments_from_arrays};
//!
//! // Days since the last purchase, purchases and total spend of five customers.
//! let table = rfm_segments_from_arrays(
//!     &[2.0, 10.0, 40.0, 200.0, 400.0],
//!     &[9.0, 6.0, 3.0, 8.0, 1.0],
//!     &[900.0, 500.0, 120.0, 800.0, 20.0],
//! )?;
//! assert_eq!(table.customers[0].score.segment, RfmSegment::Champions);
//! assert_eq!(table.customers[4].score.segment, RfmSegment::Lost);
//! Ok::<(), crmkit::Error>(())
//! ```

pub mod cohorts;
mod events;
mod periods;
mod ratio;
pub mod rfm_segments;
pub mod saved;

pub use cohorts::{
    Cohort, CohortAccumulator, CohortArrayOptions, CohortPeriod, CohortReport, CohortRequest,
    cohort_accumulator, cohort_from_arrays, cohort_report,
};
pub use ratio::Ratio;
pub use rfm_segments::{
    RfmCustomer, RfmScore, RfmSegment, RfmSegmentRequest, RfmSegmentTable, SegmentCount,
    rfm_segments, rfm_segments_from_arrays,
};
pub use saved::{SavedSegment, SegmentChanges, SegmentMembers, SegmentRequest, segment_members};
