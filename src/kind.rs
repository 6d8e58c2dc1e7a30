//! The paper's models, each with one name.
//!
//! The name is what the models file keys a model's settings and tensors by, what the page and
//! its worker call a model (messages, sections, the link's settings) and what the command line
//! accepts; the label is what the paper calls the model that samples (Table 1's rows), and
//! names the command line's output files. Both are written here and nowhere else: a new model
//! is one more variant.

use crate::error::{Error, Result};

enum_with_all! {
    #[doc = "Every model, in the order the page, the models file and Table 1 list them."]
    /// A model of the paper: the autoencoder, the two latent-space samplers fitted to its codes,
    /// and the two baselines, each an autoencoder of its own.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Kind {
        /// The autoencoder (paper §3): its codes are what the flow and the WGAN learn.
        Autoencoder,
        /// FlowAE's RealNVP flow on those codes.
        Flow,
        /// AdvAE's WGAN-GP generator (and critic) on those codes.
        Wgan,
        /// The variational autoencoder baseline (Kingma & Welling).
        Vae,
        /// The adversarial autoencoder baseline (Makhzani et al.).
        Aae,
    }
}

impl Kind {
    /// The one name.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Autoencoder => "autoencoder",
            Kind::Flow => "flow",
            Kind::Wgan => "wgan",
            Kind::Vae => "vae",
            Kind::Aae => "aae",
        }
    }

    /// What the paper calls the model that samples: the autoencoder decoding z ~ N(0, I) is its
    /// "prior" baseline; the flow and the WGAN sample through the autoencoder's decoder.
    pub const fn label(self) -> &'static str {
        match self {
            Kind::Autoencoder => "prior",
            Kind::Flow => "FlowAE",
            Kind::Wgan => "AdvAE",
            Kind::Vae => "VAE",
            Kind::Aae => "AAE",
        }
    }

    /// What it is, for a message: "generator (AdvAE)".
    pub const fn description(self) -> &'static str {
        match self {
            Kind::Autoencoder => "autoencoder",
            Kind::Flow => "flow (FlowAE)",
            Kind::Wgan => "generator (AdvAE)",
            Kind::Vae => "VAE",
            Kind::Aae => "AAE",
        }
    }

    /// The model's FCD in the paper's Table 1, where it has a row.
    pub const fn paper_fcd(self) -> Option<f64> {
        match self {
            Kind::Autoencoder => None,
            Kind::Flow => Some(4.65),
            Kind::Wgan => Some(6.03),
            Kind::Aae => Some(6.09),
            Kind::Vae => Some(8.12),
        }
    }

    /// The paper's Table 1 row for real data: the FCD of real training digits, the floor.
    pub const PAPER_REAL_DATA_FCD: f64 = 0.2;

    /// Every model with its names and its paper figure, as JSON for the page (which builds its
    /// Table 1 from it): `{name, label, description, paperFcd, baseline, encoder}`.
    pub fn described() -> serde_json::Value {
        let models = Kind::ALL.into_iter().map(|kind| {
            serde_json::json!({
                "name": kind.name(), "label": kind.label(), "description": kind.description(),
                "paperFcd": kind.paper_fcd(), "baseline": kind.is_baseline(),
                "encoder": kind.has_encoder(),
            })
        });
        serde_json::json!({ "models": models.collect::<Vec<_>>(), "paperRealDataFcd": Kind::PAPER_REAL_DATA_FCD })
    }

    /// The baselines: autoencoders of their own, trained and sampled from the prior.
    pub const fn is_baseline(self) -> bool {
        // Every arm written out, here and in every match over a model: a new model is then a
        // compile error at each place that must decide what it is, not a silent default.
        match self {
            Kind::Vae | Kind::Aae => true,
            Kind::Autoencoder | Kind::Flow | Kind::Wgan => false,
        }
    }

    /// Whether it has an encoder of its own (the autoencoder and the baselines), so that it has
    /// codes to map and trained on pixels of its own; the flow and the WGAN are fitted to the
    /// autoencoder's codes.
    pub const fn has_encoder(self) -> bool {
        match self {
            Kind::Autoencoder | Kind::Vae | Kind::Aae => true,
            Kind::Flow | Kind::Wgan => false,
        }
    }

    /// The model a name or a label stands for, in any case ("flow", "FlowAE", "flowae"), or
    /// "ae", the page's name for the autoencoder before there was one name.
    pub fn parse(name: &str) -> Result<Kind> {
        let lower = name.to_ascii_lowercase();
        let named = |k: &Kind| k.name() == lower || k.label().eq_ignore_ascii_case(&lower);
        let found = if lower == "ae" { Some(Kind::Autoencoder) } else { Kind::ALL.into_iter().find(named) };
        found.ok_or_else(|| {
            let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
            Error::Config(format!("no model called {name:?} (the models are {})", names.join(", ")))
        })
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Kind, D::Error> {
        let name = String::deserialize(deserializer)?;
        Kind::parse(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_and_label_is_its_models_alone() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.name()).unwrap(), kind);
            assert_eq!(Kind::parse(&kind.name().to_uppercase()).unwrap(), kind, "any case");
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
            assert_eq!(serde_json::from_value::<Kind>(serde_json::json!(kind.name())).unwrap(), kind);
            let others = Kind::ALL.into_iter().filter(|&k| k != kind);
            assert!(others.clone().all(|k| k.name() != kind.name() && k.label() != kind.label()), "{kind}: unique");
        }
        // Labels, and the page's "ae" from before there was one name.
        assert_eq!(Kind::parse("ae").unwrap(), Kind::Autoencoder);
        assert_eq!(Kind::parse("prior").unwrap(), Kind::Autoencoder);
        assert_eq!(Kind::parse("FlowAE").unwrap(), Kind::Flow);
        assert_eq!(Kind::parse("advae").unwrap(), Kind::Wgan);
        let refused = Kind::parse("gan").unwrap_err().to_string();
        assert!(refused.contains("\"gan\"") && refused.contains("autoencoder, flow, wgan, vae, aae"), "{refused}");
        assert!(serde_json::from_value::<Kind>(serde_json::json!("dance")).is_err());
        let with_encoder: Vec<Kind> = Kind::ALL.into_iter().filter(|k| k.has_encoder()).collect();
        assert_eq!(with_encoder, [Kind::Autoencoder, Kind::Vae, Kind::Aae], "the flow and the WGAN are fitted to codes");
    }
}
