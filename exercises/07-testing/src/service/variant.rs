//! Which service a [`Factory`](super::Factory) builds: the correct one, or a mutant.
//!
//! Each mutant is the correct service with one planted bug, the kind of small change a
//! mutation-testing tool (cargo-mutants, mutmut for Python) makes on purpose. A test
//! suite is only as good as the mutants it kills: a bug no test notices survives.

/// The correct stock service, or one of its mutants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The service as specified. Every test must pass on it.
    Correct,
    /// Replies end with a bare `\n` instead of `\r\n`.
    BareNewline,
    /// Off by one: a reservation may take one unit more than is left.
    OverReserve,
    /// Reservations never expire: the expiry timer is never armed.
    NeverExpires,
    /// Reservations expire halfway through the hold.
    ExpiresEarly,
    /// `RELEASE` leaves the expiry timer armed, and when it fires it gives the units
    /// back a second time.
    ReleaseKeepsTimer,
    /// `shutdown()` leaves the reservation timers pending.
    LeakedTimers,
    /// `shutdown()` leaves the TCP listener accepting connections.
    LeakedListener,
}

impl Variant {
    /// The planted bug, in words, for reports such as "your tests did not catch: …".
    pub fn bug(self) -> &'static str {
        match self {
            Variant::Correct => "nothing (this is the correct service)",
            Variant::BareNewline => "replies end with a bare \\n instead of \\r\\n",
            Variant::OverReserve => {
                "an off-by-one lets a reservation take one unit more than is left"
            }
            Variant::NeverExpires => "reservations never expire",
            Variant::ExpiresEarly => {
                "reservations expire early, halfway through the hold"
            }
            Variant::ReleaseKeepsTimer => {
                "RELEASE leaves the expiry timer armed, so the units come back a second time when it fires"
            }
            Variant::LeakedTimers => {
                "shutdown() leaves reservation timers pending (trial: \"DelayedCalls left\")"
            }
            Variant::LeakedListener => {
                "shutdown() leaves the TCP listener accepting connections"
            }
        }
    }
}
