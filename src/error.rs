//! One error type for everything a user, a file or a device can get wrong.
//!
//! The library never panics on what it is given: bad bytes, bad settings, a lost device and a
//! diverging loss all come back as an [`Error`] whose message can be shown to a person as it is.

use std::fmt;

/// What went wrong, in words meant for the person using the page or the command-line tool.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A data file is missing, truncated, or not what it claims to be.
    Data(String),
    /// A setting is out of its range or not a number.
    Config(String),
    /// The compute device failed: no adapter, a lost device, a failed read-back.
    Device(String),
    /// Training produced a NaN or infinite loss; the last good weights were kept.
    NonFinite(String),
    /// A request that does not fit the current state (for example sampling before training).
    State(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Data(m) => write!(f, "data error: {m}"),
            Error::Config(m) => write!(f, "invalid setting: {m}"),
            Error::Device(m) => write!(f, "device error: {m}"),
            Error::NonFinite(m) => write!(f, "training stopped: {m}"),
            Error::State(m) => write!(f, "{m}"),
        }
    }
}

impl Error {
    /// The same error about `what` (a file, a model): its message after `what`, its kind kept,
    /// so that a message names the file once and its kind once.
    pub fn about(self, what: impl fmt::Display) -> Error {
        match self {
            Error::Data(m) => Error::Data(format!("{what}: {m}")),
            Error::Config(m) => Error::Config(format!("{what}: {m}")),
            Error::Device(m) => Error::Device(format!("{what}: {m}")),
            Error::NonFinite(m) => Error::NonFinite(format!("{what}: {m}")),
            Error::State(m) => Error::State(format!("{what}: {m}")),
        }
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
