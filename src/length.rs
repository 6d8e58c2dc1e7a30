//! How long a run trains: the page's quick run, or the full one of the paper's Table 1.
//!
//! A length is a second axis beside the [`Preset`](crate::preset::Preset): the preset says what
//! the models are (their widths, steps and rates), the length only how much they train (how
//! many digits, epochs and held-out digits). A visitor who presses Train wants the story, the
//! autoencoder then FlowAE's flow then AdvAE's WGAN, in about a minute; Table 1 wants the
//! paper's 60,000 digits and full epochs. What the quick run costs in FCD is measured natively
//! by `flowae table --length quick` (the README, under *The paper's Table 1, natively*).

use crate::memory::thousands;
use crate::{Error, Kind, Result};

/// A run's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Length {
    /// A few minutes of a phone's patience: fewer digits and epochs.
    Quick,
    /// The configs' own defaults: the paper's 60,000 digits and epochs.
    Full,
}

impl Length {
    /// Both, in the page's order.
    pub const ALL: [Length; 2] = [Length::Quick, Length::Full];

    /// The page's first run, what a link without `length` opens with.
    pub const PAGE: Length = Length::Quick;

    /// Table 1's: Compare all's, and the command line's unless `--length` says otherwise.
    pub const TABLE: Length = Length::Full;

    /// Its name in the link (`length=full`) and on the command line (`--length quick`).
    pub const fn name(self) -> &'static str {
        match self {
            Length::Quick => "quick",
            Length::Full => "full",
        }
    }

    /// The page's words for it in a menu.
    pub const fn label(self) -> &'static str {
        match self {
            Length::Quick => "quick run",
            Length::Full => "full run (Table 1)",
        }
    }

    /// The sentence the page shows under the menu, from [`Length::changes`] (so the figures
    /// are written once).
    pub fn explained(self) -> String {
        let value = |kind, name| self.value_of(kind, name).map(thousands).unwrap_or_default();
        match self {
            Length::Quick => format!(
                "The page's first run: the autoencoder on {} digits for {} epochs (scored on {} test digits), \
                 then the flow for {} epochs and the WGAN for {} epochs on their codes; the baselines {} epochs each. \
                 Recognisable samples from all three in about a minute, not the best the models can do.",
                value(Kind::Autoencoder, "train_images"),
                value(Kind::Autoencoder, "epochs"),
                value(Kind::Autoencoder, "test_images"),
                value(Kind::Flow, "epochs"),
                value(Kind::Wgan, "epochs"),
                value(Kind::Vae, "epochs"),
            ),
            Length::Full => "Table 1's: all 60,000 digits and every model's full epochs (the settings below). \
                 Several minutes here; Compare all always trains this long unless told otherwise."
                .to_string(),
        }
    }

    /// The settings it changes from the configs' defaults: (model, setting's name in
    /// [`crate::settings::SETTINGS`], value). None for the full run.
    pub const fn changes(self) -> &'static [(Kind, &'static str, u64)] {
        match self {
            Length::Quick => &[
                (Kind::Autoencoder, "train_images", 20_000),
                (Kind::Autoencoder, "epochs", 3),
                (Kind::Autoencoder, "test_images", 2_000),
                (Kind::Flow, "epochs", 8),
                (Kind::Wgan, "epochs", 12),
                (Kind::Vae, "epochs", 3),
                (Kind::Aae, "epochs", 3),
            ],
            Length::Full => &[],
        }
    }

    /// What it sets `kind`'s setting `name` to, if it sets it.
    pub fn value_of(self, kind: Kind, name: &str) -> Option<u64> {
        self.changes().iter().find(|(k, n, _)| *k == kind && *n == name).map(|&(_, _, v)| v)
    }

    /// The length called `name`, or an error that lists them.
    pub fn parse(name: &str) -> Result<Length> {
        Length::ALL.into_iter().find(|l| l.name() == name).ok_or_else(|| {
            let names: Vec<&str> = Length::ALL.iter().map(|l| l.name()).collect();
            Error::Config(format!("no run length called {name:?} (the lengths are {})", names.join(", ")))
        })
    }

    /// Both as JSON for the page: `[{name, label, explained, page, table}]`.
    pub fn described() -> serde_json::Value {
        serde_json::Value::Array(
            Length::ALL
                .into_iter()
                .map(|l| {
                    serde_json::json!({
                        "name": l.name(), "label": l.label(), "explained": l.explained(),
                        "page": l == Length::PAGE, "table": l == Length::TABLE,
                    })
                })
                .collect(),
        )
    }
}

