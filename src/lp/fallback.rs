//! One oracle standing in for another: the fast solver first, HiGHS when it cannot answer.

use super::{Col, LpBound, LpError, LpOracle};

/// What happens to the primary oracle after it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnPrimaryError {
    /// Its state is no longer trusted: every later objective goes to the secondary until a
    /// new primary is set ([`Fallback::set_primary`]).
    Drop,
    /// It keeps no state between calls: ask it again next time.
    Retry,
}

/// Answers from `primary`, and from `secondary` — made on first need — when the primary has
/// none; counts how often that happened.
///
/// The secondary is made by the caller's closure at [`Fallback::minimize_with`], because what
/// it is made from (the current model) may change between calls.
pub struct Fallback<P, S> {
    primary: Option<P>,
    secondary: Option<S>,
    policy: OnPrimaryError,
    /// Objectives answered by the secondary.
    pub fallbacks: usize,
}

impl<P: LpOracle, S: LpOracle> Fallback<P, S> {
    /// Starts with `primary` (none: the secondary answers everything).
    pub fn new(primary: Option<P>, policy: OnPrimaryError) -> Self {
        Self {
            primary,
            secondary: None,
            policy,
            fallbacks: 0,
        }
    }

    /// The primary, while it is trusted.
    pub fn primary_mut(&mut self) -> Option<&mut P> {
        self.primary.as_mut()
    }

    /// Replaces (or removes) the primary.
    pub fn set_primary(&mut self, primary: Option<P>) {
        self.primary = primary;
    }

    /// The secondary, once made.
    pub fn secondary_mut(&mut self) -> Option<&mut S> {
        self.secondary.as_mut()
    }

    /// `min objective` from the primary, or else from the secondary (made by
    /// `make_secondary` if there is none yet).
    pub fn minimize_with(
        &mut self,
        objective: &[(Col, f64)],
        make_secondary: impl FnOnce() -> Result<S, LpError>,
    ) -> Result<LpBound, LpError> {
        if let Some(primary) = self.primary.as_mut() {
            match primary.minimize(objective) {
                Ok(bound) => return Ok(bound),
                // Out of time is out of time for the secondary too.
                Err(LpError::TimeLimit) => return Err(LpError::TimeLimit),
                Err(_) if self.policy == OnPrimaryError::Drop => self.primary = None,
                Err(_) => {}
            }
        }
        self.fallbacks += 1;
        let secondary = match self.secondary.as_mut() {
            Some(s) => s,
            None => self.secondary.insert(make_secondary()?),
        };
        secondary.minimize(objective)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers `calls` times with the sum of the coefficients, then fails.
    struct Countdown {
        calls: usize,
    }

    impl LpOracle for Countdown {
        fn minimize(&mut self, objective: &[(Col, f64)]) -> Result<LpBound, LpError> {
            if self.calls == 0 {
                return Err(LpError::Singular);
            }
            self.calls -= 1;
            Ok(LpBound::value(objective.iter().map(|t| t.1).sum()))
        }
    }

    #[test]
    fn a_dropped_primary_stays_dropped_and_a_retried_one_answers_again() {
        let mut made = 0;
        let mut make = || {
            made += 1;
            Ok(Countdown { calls: 100 })
        };
        let mut drop = Fallback::new(Some(Countdown { calls: 1 }), OnPrimaryError::Drop);
        let mut min = |f: &mut Fallback<_, _>, c: f64| {
            f.minimize_with(&[(0, c)], &mut make).unwrap().lower_bound
        };
        assert_eq!(min(&mut drop, 2.0), 2.0);
        assert_eq!(drop.fallbacks, 0);
        assert_eq!(min(&mut drop, 3.0), 3.0);
        assert!(drop.primary_mut().is_none());
        assert_eq!(min(&mut drop, 4.0), 4.0);
        assert_eq!(drop.fallbacks, 2);
        assert_eq!(made, 1, "one secondary, made once");

        let secondary = || Ok(Countdown { calls: 100 });
        let mut retry = Fallback::new(Some(Countdown { calls: 0 }), OnPrimaryError::Retry);
        retry.minimize_with(&[(0, 1.0)], secondary).unwrap();
        assert!(retry.primary_mut().is_some());
        retry.primary_mut().unwrap().calls = 1;
        retry.minimize_with(&[(0, 1.0)], secondary).unwrap();
        assert_eq!(
            retry.fallbacks, 1,
            "the retried primary answered the second objective"
        );
    }

    #[test]
    fn a_secondary_that_cannot_be_made_is_an_error() {
        let mut f = Fallback::<Countdown, Countdown>::new(None, OnPrimaryError::Drop);
        let fails = || Err(LpError::Solver("no HiGHS".into()));
        assert_eq!(
            f.minimize_with(&[(0, 1.0)], fails).unwrap_err(),
            LpError::Solver("no HiGHS".into())
        );
    }
}
