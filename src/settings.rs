//! Every hyper-parameter a person can set, declared once: its name in the page's form and the
//! link (`flow.learning_rate`), its flag on the command line (`--flow-lr`), its label, help,
//! bounds and default. The page builds its forms, checks them and writes its links from this
//! table (the build writes it to `www/pkg/tables.js`), and `flowae` builds its flags and
//! help from it.
//!
//! Nothing here is written twice: a default is whatever the config's own `Default` says, read
//! through the setting's `path`; a bound is a constant of [`crate::limits`], the same one the
//! config's `validate` enforces.

use std::ops::RangeInclusive;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::length::Length;
use crate::limits;
use crate::map::LatentMapConfig;
use crate::plane::PlaneConfig;
use crate::preset::Preset;
use crate::train::{AeTrainingConfig, FlowTrainingConfig, WganTrainingConfig};
use crate::{Error, Kind, Result};

/// Which form holds a setting: a model's, the latent map's, or the 2-D lab's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Model(Kind),
    Map,
    Plane,
}

impl Section {
    /// Every section, in the page's order.
    pub const ALL: [Section; 7] = [
        Section::Model(Kind::Autoencoder),
        Section::Model(Kind::Flow),
        Section::Model(Kind::Wgan),
        Section::Model(Kind::Vae),
        Section::Model(Kind::Aae),
        Section::Map,
        Section::Plane,
    ];

    /// The model's name, "map" or "plane".
    pub fn name(self) -> &'static str {
        match self {
            Section::Model(kind) => kind.name(),
            Section::Map => "map",
            Section::Plane => "plane",
        }
    }

    /// What a link writes before a setting's name: nothing for the autoencoder (as links made
    /// before this table had it), else the section's name and a dot.
    pub fn prefix(self) -> String {
        match self {
            Section::Model(Kind::Autoencoder) => String::new(),
            other => format!("{}.", other.name()),
        }
    }

    /// The section's config at `preset`'s defaults, as JSON: each config's own, and for a
    /// baseline the autoencoder's with the baseline's recipe and epochs.
    pub fn defaults(self, preset: Preset) -> Value {
        let value = match self {
            Section::Model(Kind::Autoencoder) => serde_json::to_value(AeTrainingConfig::default()),
            Section::Model(Kind::Flow) => serde_json::to_value(FlowTrainingConfig::preset(preset)),
            Section::Model(Kind::Wgan) => serde_json::to_value(WganTrainingConfig::preset(preset)),
            Section::Model(kind @ (Kind::Vae | Kind::Aae)) => match AeTrainingConfig::baseline_defaults(kind, preset) {
                Ok(config) => serde_json::to_value(config),
                Err(_) => return Value::Null,
            },
            Section::Map => serde_json::to_value(LatentMapConfig::default()),
            Section::Plane => serde_json::to_value(PlaneConfig::default()),
        };
        value.unwrap_or(Value::Null)
    }
}

/// What values a setting takes.
#[derive(Clone, Debug, PartialEq)]
pub enum Bounds {
    /// A whole number in the range.
    Whole(RangeInclusive<u64>),
    /// A number in the range.
    Real(RangeInclusive<f64>),
    /// One of these values, each with the page's words for it.
    Choice(&'static [(&'static str, &'static str)]),
}

const fn whole(range: RangeInclusive<usize>) -> Bounds {
    Bounds::Whole(*range.start() as u64..=*range.end() as u64)
}

/// One hyper-parameter.
#[derive(Clone, Debug)]
pub struct Setting {
    pub section: Section,
    /// The form field's name; with the section's prefix, the link's key.
    pub name: &'static str,
    /// Where it lives in the section's config as JSON, dot-separated ("flow.layers").
    pub path: &'static str,
    /// The command line's flag without its dashes, where the command line has it.
    pub flag: Option<&'static str>,
    /// The form's label.
    pub label: &'static str,
    /// One line for the command line's help and the form's tooltip.
    pub help: &'static str,
    pub bounds: Bounds,
    /// Values the page offers in a menu instead of a free field, with its words for each.
    pub presets: &'static [(&'static str, &'static str)],
    /// Whether the page shows it (a few exist on the command line only).
    pub on_page: bool,
}

const AE: Section = Section::Model(Kind::Autoencoder);
const FLOW: Section = Section::Model(Kind::Flow);
const WGAN: Section = Section::Model(Kind::Wgan);
const VAE: Section = Section::Model(Kind::Vae);
const AAE: Section = Section::Model(Kind::Aae);

/// A setting of the page's alone (the latent map's, the 2-D lab's): no flag.
const fn on_page(section: Section, name: &'static str, path: &'static str, label: &'static str, help: &'static str, bounds: Bounds) -> Setting {
    Setting { flag: None, ..setting(section, name, path, "", label, help, bounds) }
}

/// A setting shown on the page and on the command line, without presets.
const fn setting(section: Section, name: &'static str, path: &'static str, flag: &'static str, label: &'static str, help: &'static str, bounds: Bounds) -> Setting {
    Setting { section, name, path, flag: Some(flag), label, help, bounds, presets: &[], on_page: true }
}

/// Every setting, in the page's order within each section.
pub const SETTINGS: &[Setting] = &[
    Setting {
        presets: &[("60000", "all 60,000"), ("20000", "20,000"), ("10000", "10,000"), ("2000", "2,000"), ("500", "500")],
        ..setting(AE, "train_images", "train_images", "train-images", "Training images", "use the first N of the 60,000 training digits", whole(limits::TRAIN_IMAGES))
    },
    Setting {
        presets: &[("10000", "all 10,000"), ("2000", "2,000"), ("1000", "1,000"), ("200", "200")],
        ..setting(AE, "test_images", "test_images", "test-images", "Test images", "score the first N of the 10,000 test digits", whole(limits::TEST_IMAGES))
    },
    setting(AE, "epochs", "epochs", "epochs", "Epochs", "passes over the training images", whole(limits::EPOCHS)),
    setting(AE, "batch_size", "batch_size", "batch-size", "Batch size", "images per step", whole(limits::BATCH)),
    setting(AE, "learning_rate", "learning_rate", "lr", "Learning rate", "Adam learning rate", Bounds::Real(limits::LEARNING_RATE)),
    setting(AE, "pixels", "pixels", "pixels", "Inputs", "binarized (the paper) or grayscale (the authors' code) pixels",
        Bounds::Choice(&[("binarized", "binarized (paper)"), ("grayscale", "grayscale (authors' code)")])),
    setting(AE, "seed", "seed", "seed", "Seed", "seed for weights, batch order and samples", Bounds::Whole(limits::SEED)),
    Setting { on_page: false, ..setting(AE, "hidden", "model.hidden", "hidden", "Hidden width", "hidden width", whole(limits::WIDTH)) },
    Setting { on_page: false, ..setting(AE, "latent", "model.latent", "latent", "Latent dimension", "latent dimension", whole(limits::LATENT)) },
    setting(AE, "latent_noise", "latent_noise", "latent-noise", "Latent noise", "N(0, X^2) noise on the codes while training (authors' code: 0.2 under AdvAE)", Bounds::Real(limits::LATENT_NOISE)),
    setting(FLOW, "layers", "flow.layers", "layers", "Coupling layers", "coupling layers, each on one half (paper: 5; authors' code: 10, two per RealNVP layer)", whole(limits::COUPLING_LAYERS)),
    setting(FLOW, "hidden", "flow.hidden", "flow-hidden", "Hidden width", "hidden width of the scale and shift networks", whole(limits::WIDTH)),
    setting(FLOW, "epochs", "epochs", "flow-epochs", "Epochs", "passes over the encoded training digits", whole(limits::EPOCHS)),
    setting(FLOW, "batch_size", "batch_size", "flow-batch-size", "Batch size", "codes per step", whole(limits::FLOW_BATCH)),
    setting(FLOW, "learning_rate", "learning_rate", "flow-lr", "Learning rate", "Adam learning rate", Bounds::Real(limits::LEARNING_RATE)),
    setting(WGAN, "loss", "loss", "gan-loss", "Loss", "wasserstein (WGAN-GP) or non-saturating",
        Bounds::Choice(&[("wasserstein", "WGAN-GP (paper eqs. 7–8)"), ("non-saturating", "non-saturating GAN (eqs. 5–6)")])),
    setting(WGAN, "critic_steps", "critic_steps", "critic-steps", "Critic steps per generator step", "critic steps per generator step (authors' code: 600, one generator step per epoch)", whole(limits::CRITIC_STEPS)),
    setting(WGAN, "lambda", "lambda", "lambda", "Penalty weight λ", "gradient penalty weight (WGAN-GP only)", Bounds::Real(limits::PENALTY)),
    setting(WGAN, "generator_learning_rate", "generator_learning_rate", "gen-lr", "Generator learning rate", "generator's Adam learning rate (authors' code: 1e-2)", Bounds::Real(limits::LEARNING_RATE)),
    setting(WGAN, "critic_learning_rate", "critic_learning_rate", "critic-lr", "Critic learning rate", "critic's Adam learning rate", Bounds::Real(limits::LEARNING_RATE)),
    setting(WGAN, "epochs", "epochs", "gan-epochs", "Epochs", "passes of the critic over the training codes", whole(limits::EPOCHS)),
    setting(WGAN, "batch_size", "batch_size", "gan-batch-size", "Batch size", "codes per step", whole(limits::BATCH)),
    setting(WGAN, "generator_hidden", "generator_hidden", "gen-hidden", "Generator width", "generator's hidden width", whole(limits::WIDTH)),
    setting(WGAN, "critic_hidden", "critic_hidden", "critic-hidden", "Critic width", "critic's hidden width (authors' code: 20)", whole(limits::WIDTH)),
    setting(VAE, "epochs", "epochs", "vae-epochs", "Epochs", "epochs of the VAE baseline", whole(limits::EPOCHS)),
    setting(VAE, "learning_rate", "learning_rate", "vae-lr", "Learning rate", "the VAE's Adam learning rate", Bounds::Real(limits::LEARNING_RATE)),
    setting(AAE, "epochs", "epochs", "aae-epochs", "Epochs", "epochs of the AAE baseline", whole(limits::EPOCHS)),
    setting(AAE, "learning_rate", "learning_rate", "aae-lr", "Learning rate", "the AAE's Adam learning rate", Bounds::Real(limits::LEARNING_RATE)),
    setting(AAE, "discriminator_hidden", "adversarial.hidden", "aae-hidden", "Discriminator width", "discriminator width (authors' code: 20)", whole(limits::WIDTH)),
    setting(AAE, "discriminator_learning_rate", "adversarial.learning_rate", "aae-disc-lr", "Discriminator learning rate",
        "the AAE discriminator's Adam learning rate", Bounds::Real(limits::LEARNING_RATE)),
    setting(AAE, "encoder_learning_rate", "adversarial.encoder_learning_rate", "aae-enc-lr", "Encoder's adversarial rate",
        "Adam rate of the encoder's adversarial step", Bounds::Real(limits::LEARNING_RATE)),
    setting(AAE, "discriminator_steps", "adversarial.steps", "aae-disc-steps", "Discriminator steps per batch",
        "discriminator steps per batch (authors' code: 1)", whole(limits::CRITIC_STEPS)),
    setting(AAE, "latent_noise", "latent_noise", "aae-latent-noise", "Latent noise", "N(0, X^2) code noise (authors' code: 0.2)", Bounds::Real(limits::LATENT_NOISE)),
    on_page(Section::Map, "source", "source", "Codes of", "whose codes the map shows",
        Bounds::Choice(&[("autoencoder", "the autoencoder (FlowAE, AdvAE)"), ("vae", "the VAE"), ("aae", "the AAE")])),
    Setting {
        presets: &[("1000", "1,000"), ("2000", "2,000"), ("5000", "5,000")],
        ..on_page(Section::Map, "digits", "digits", "Test digits", "test digits encoded and drawn", whole(limits::MAP_DIGITS))
    },
    Setting {
        presets: &[("0", "none"), ("200", "200"), ("500", "500")],
        ..on_page(Section::Map, "overlay", "overlay", "Generated codes per model", "codes each generative model adds", whole(limits::MAP_OVERLAY))
    },
    Setting {
        presets: &[("30", "30"), ("70", "70 (the paper)")],
        ..on_page(Section::Map, "perplexity", "perplexity", "t-SNE perplexity", "t-SNE's perplexity", Bounds::Real(limits::PERPLEXITY))
    },
    Setting {
        presets: &[("1000", "1,000"), ("5000", "5,000"), ("10000", "10,000")],
        ..on_page(Section::Plane, "points", "points", "Points", "training points (a quarter as many more are held out for the NLL)", whole(limits::PLANE_POINTS))
    },
    on_page(Section::Plane, "flow_layers", "flow.flow.layers", "Flow's coupling layers", "each bends the plane along one axis, given the other", whole(limits::COUPLING_LAYERS)),
    on_page(Section::Plane, "flow_hidden", "flow.flow.hidden", "Flow's hidden width", "of the networks that compute each layer's stretch and shift", whole(limits::WIDTH)),
    on_page(Section::Plane, "flow_learning_rate", "flow.learning_rate", "Flow's learning rate", "the flow's Adam learning rate", Bounds::Real(limits::LEARNING_RATE)),
    on_page(Section::Plane, "critic_steps", "wgan.critic_steps", "Critic steps per generator step", "how far the critic learns before the generator moves", whole(limits::CRITIC_STEPS)),
    on_page(Section::Plane, "lambda", "wgan.lambda", "Penalty weight λ", "the critic's gradient penalty weight", Bounds::Real(limits::PENALTY)),
    on_page(Section::Plane, "generator_learning_rate", "wgan.generator_learning_rate", "Generator's learning rate", "the generator's Adam learning rate", Bounds::Real(limits::LEARNING_RATE)),
    on_page(Section::Plane, "critic_learning_rate", "wgan.critic_learning_rate", "Critic's learning rate", "the critic's Adam learning rate", Bounds::Real(limits::LEARNING_RATE)),
    on_page(Section::Plane, "seed", "seed", "Seed", "seeds the points, both models' first weights and their noise", Bounds::Whole(limits::SEED)),
];

impl Setting {
    /// The link's key: the section's prefix and the name ("flow.learning_rate").
    pub fn key(&self) -> String {
        format!("{}{}", self.section.prefix(), self.name)
    }

    /// Its value under `defaults`: what the run length sets it to, if it sets it, else the
    /// section's config at the preset's defaults, read at `path`.
    pub fn value_in(&self, defaults: Defaults) -> Value {
        if let Section::Model(kind) = self.section {
            if let Some(value) = defaults.length.value_of(kind, self.name) {
                return json!(value);
            }
        }
        let config = self.section.defaults(defaults.preset);
        self.path.split('.').try_fold(&config, |v, part| v.get(part)).cloned().unwrap_or(Value::Null)
    }

    /// Reads `text` as this setting's value, or says why not, naming it as `who`.
    pub fn parse(&self, text: &str, who: &str) -> Result<Value> {
        let text = text.trim();
        match &self.bounds {
            Bounds::Whole(range) => {
                let number: f64 = text.parse().map_err(|_| Error::Config(format!("{who} must be a number, not {text:?}")))?;
                if number.fract() != 0.0 {
                    return Err(Error::Config(format!("{who} must be a whole number, not {text}")));
                }
                limits::check(who, number, &(*range.start() as f64..=*range.end() as f64))?;
                Ok(json!(number as u64))
            }
            Bounds::Real(range) => {
                let number: f64 = text.parse().map_err(|_| Error::Config(format!("{who} must be a number, not {text:?}")))?;
                limits::check(who, number, range)?;
                Ok(json!(number))
            }
            Bounds::Choice(choices) => match choices.iter().find(|(value, _)| *value == text) {
                Some((value, _)) => Ok(json!(value)),
                None => {
                    let values: Vec<&str> = choices.iter().map(|(value, _)| *value).collect();
                    Err(Error::Config(format!("{who} must be {}, not {text:?}", values.join(" or "))))
                }
            },
        }
    }

    /// What the page needs to build, fill and check its field.
    fn described(&self) -> Value {
        let (kind, min, max, choices) = match &self.bounds {
            Bounds::Whole(r) => ("whole", json!(r.start()), json!(r.end()), self.presets),
            Bounds::Real(r) => ("number", json!(r.start()), json!(r.end()), self.presets),
            Bounds::Choice(choices) => ("choice", Value::Null, Value::Null, *choices),
        };
        json!({
            "section": self.section.name(), "key": self.key(), "name": self.name, "path": self.path,
            "flag": self.flag, "label": self.label, "help": self.help, "kind": kind, "min": min, "max": max,
            "choices": choices, "default": self.value_in(Defaults::PAGE), "onPage": self.on_page,
            // Its value under every preset and length: defaults.tuned.quick, …
            "defaults": Preset::ALL.iter().map(|&preset| {
                let at = Length::ALL.iter().map(|&length| (length.name().to_string(), self.value_in(Defaults { preset, length })));
                (preset.name().to_string(), Value::Object(at.collect()))
            }).collect::<Map<String, Value>>(),
        })
    }
}

/// The settings of one section, in order.
pub fn of(section: Section) -> impl Iterator<Item = &'static Setting> {
    SETTINGS.iter().filter(move |s| s.section == section)
}

/// The whole table as JSON, for the page: one object per setting.
pub fn described() -> Value {
    Value::Array(SETTINGS.iter().map(Setting::described).collect())
}

/// Which defaults the settings take: a preset's, at a run length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Defaults {
    pub preset: Preset,
    pub length: Length,
}

impl Defaults {
    /// The page's as it opens: the default preset, the quick run.
    pub const PAGE: Defaults = Defaults { preset: Preset::DEFAULT, length: Length::PAGE };
    /// Table 1's and the command line's: the default preset, the full run.
    pub const TABLE: Defaults = Defaults { preset: Preset::DEFAULT, length: Length::TABLE };

    /// `preset`'s at the full length.
    pub const fn full(preset: Preset) -> Defaults {
        Defaults { preset, length: Length::Full }
    }
}

/// `base` with each setting of `section` set from its flag, where `flag(name)` gives one, and
/// else to its value under `defaults`. A bad value is refused naming its flag.
pub fn from_flags<'a, C: Serialize + DeserializeOwned>(section: Section, defaults: Defaults, base: C, flag: impl Fn(&str) -> Option<&'a str>) -> Result<C> {
    let mut config = serde_json::to_value(base).map_err(|e| Error::Config(e.to_string()))?;
    for setting in of(section) {
        let given = setting.flag.and_then(|name| flag(name).map(|text| (name, text)));
        let value = match given {
            Some((name, text)) => setting.parse(text, &format!("--{name}"))?,
            None => setting.value_in(defaults),
        };
        set(&mut config, setting.path, value)?;
    }
    serde_json::from_value(config).map_err(|e| Error::Config(e.to_string()))
}

/// Every flag of the table.
pub fn flags() -> impl Iterator<Item = &'static str> {
    SETTINGS.iter().filter_map(|s| s.flag)
}

/// The command line's help for `section`'s flags: flag, help and default, one line each.
pub fn flags_help(section: Section) -> String {
    let mut text = String::new();
    for setting in of(section) {
        let Some(flag) = setting.flag else { continue };
        let value = match setting.bounds {
            Bounds::Whole(_) => "N",
            Bounds::Real(_) => "X",
            Bounds::Choice(_) => "WORD",
        };
        let default = match setting.value_in(Defaults::TABLE) {
            Value::String(s) => s,
            Value::Number(n) if n.as_f64().is_some_and(|x| x.fract() == 0.0 && x.abs() < 1e15) => format!("{}", n.as_f64().unwrap_or(0.0)),
            other => other.to_string(),
        };
        let head = format!("  --{flag} {value}");
        let line = format!("{head:<23}{}", setting.help);
        text.push_str(&format!("{line:<68}[{default}]\n"));
    }
    text
}

/// Sets `value` at the dot-separated `path` of the JSON object `config`.
fn set(config: &mut Value, path: &str, value: Value) -> Result<()> {
    let mut at = config;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let object: &mut Map<String, Value> =
            at.as_object_mut().ok_or_else(|| Error::Config(format!("no setting at {path}")))?;
        if parts.peek().is_none() {
            object.insert(part.to_string(), value);
            return Ok(());
        }
        at = object.get_mut(part).ok_or_else(|| Error::Config(format!("no setting at {path}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_exists_and_lies_within_its_bounds() {
        let every = Preset::ALL.into_iter().flat_map(|preset| Length::ALL.map(|length| Defaults { preset, length }));
        for (setting, defaults) in SETTINGS.iter().flat_map(|s| every.clone().map(move |d| (s, d))) {
            let default = setting.value_in(defaults);
            let text = match &default {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                other => panic!("{}: no default at {} (got {other})", setting.key(), setting.path),
            };
            assert_eq!(setting.parse(&text, "default").unwrap(), default, "{}", setting.key());
            // A menu must be able to show it (a select falls back to its first choice).
            if !setting.presets.is_empty() {
                let listed = setting.presets.iter().any(|(value, _)| setting.parse(value, "menu").ok().as_ref() == Some(&default));
                assert!(listed, "{}: {text} under {defaults:?} is not one of its menu's", setting.key());
            }
            for (preset, _) in setting.presets {
                setting.parse(preset, "preset").unwrap_or_else(|e| panic!("{}: preset {preset}: {e}", setting.key()));
            }
        }
    }

    #[test]
    fn a_preset_fills_what_no_flag_gives_and_a_flag_overrides_either() {
        let wgan = |preset, flag: Option<&'static str>| -> WganTrainingConfig {
            from_flags(WGAN, Defaults::full(preset), WganTrainingConfig::default(), move |n| if n == "critic-hidden" { flag } else { None }).unwrap()
        };
        assert_eq!(wgan(Preset::Paper, None), WganTrainingConfig::preset(Preset::Paper));
        assert_eq!(wgan(Preset::Tuned, None), WganTrainingConfig::preset(Preset::Tuned));
        assert_ne!(wgan(Preset::Paper, None).critic_hidden, wgan(Preset::Tuned, None).critic_hidden);
        assert_eq!(wgan(Preset::Paper, Some("64")).critic_hidden, 64);
        assert_eq!(wgan(Preset::Tuned, Some("64")).critic_hidden, 64);
        // The AAE's discriminator, nested in its config, follows the preset too.
        let aae = |preset| -> AeTrainingConfig { from_flags(AAE, Defaults::full(preset), AeTrainingConfig::default().baseline(Kind::Aae).unwrap(), |_| None).unwrap() };
        assert_eq!(aae(Preset::Paper).adversarial.unwrap().hidden, 20);
        assert_eq!(aae(Preset::Paper), AeTrainingConfig::baseline_defaults(Kind::Aae, Preset::Paper).unwrap());
        assert_eq!(aae(Preset::Tuned), AeTrainingConfig::baseline_defaults(Kind::Aae, Preset::Tuned).unwrap());
        assert_eq!(aae(Preset::Paper).adversarial.unwrap().steps, 1);
        // So does the flow's width, nested in its own.
        let flow = |preset| -> FlowTrainingConfig { from_flags(FLOW, Defaults::full(preset), FlowTrainingConfig::default(), |_| None).unwrap() };
        assert_eq!(flow(Preset::Paper), FlowTrainingConfig::preset(Preset::Paper));
        assert_eq!(flow(Preset::Tuned), FlowTrainingConfig::preset(Preset::Tuned));
        assert_ne!(flow(Preset::Paper).flow.hidden, flow(Preset::Tuned).flow.hidden);
        // The page's table gives each setting's value in every preset.
        let critic = SETTINGS.iter().find(|s| s.key() == "wgan.critic_hidden").unwrap().described();
        let tuned = WganTrainingConfig::preset(Preset::Tuned).critic_hidden;
        assert_eq!(critic["defaults"], json!({ "paper": { "quick": 20, "full": 20 }, "tuned": { "quick": tuned, "full": tuned } }));
        assert_eq!(Preset::parse("paper").unwrap(), Preset::Paper);
        assert!(Preset::parse("best").unwrap_err().to_string().contains("the presets are tuned, paper"));
    }

    #[test]
    fn a_length_sets_only_how_long_a_run_trains() {
        // Every setting a length changes exists, on the page, and takes the value.
        for length in Length::ALL {
            for &(kind, name, value) in length.changes() {
                let setting = of(Section::Model(kind)).find(|s| s.name == name).unwrap_or_else(|| panic!("{kind}: no setting {name}"));
                assert!(setting.on_page, "{}", setting.key());
                assert_eq!(setting.parse(&value.to_string(), "length").unwrap(), json!(value), "{}", setting.key());
                assert!(["train_images", "test_images", "epochs"].contains(&name), "{}: a length says how long, not what", setting.key());
            }
        }
        // The quick run is shorter in every model, the full one is each config's own default.
        let ae = |length| -> AeTrainingConfig { from_flags(AE, Defaults { preset: Preset::DEFAULT, length }, AeTrainingConfig::default(), |_| None).unwrap() };
        let (quick, full) = (ae(Length::Quick), ae(Length::Full));
        assert_eq!(full, AeTrainingConfig::default());
        assert!(quick.train_images * quick.epochs < full.train_images * full.epochs);
        assert_eq!((quick.batch_size, quick.learning_rate, quick.model), (full.batch_size, full.learning_rate, full.model));
        for kind in [Kind::Flow, Kind::Wgan, Kind::Vae, Kind::Aae] {
            let epochs = of(Section::Model(kind)).find(|s| s.name == "epochs").unwrap();
            let [quick, full] = [Length::Quick, Length::Full].map(|length| epochs.value_in(Defaults { preset: Preset::DEFAULT, length }).as_u64().unwrap());
            assert!(quick < full, "{kind}: {quick} epochs quick, {full} full");
        }
        // A flag still overrides the length.
        let given: AeTrainingConfig = from_flags(AE, Defaults::PAGE, AeTrainingConfig::default(), |n| (n == "epochs").then_some("7")).unwrap();
        assert_eq!(given.epochs, 7);
        assert_eq!(Length::parse("quick").unwrap(), Length::Quick);
        assert!(Length::parse("short").unwrap_err().to_string().contains("the lengths are quick, full"));
    }

    #[test]
    fn the_2d_lab_s_settings_make_its_config() {
        // As the page reads its form (settings.js's readSection): each setting at its path, in
        // objects made as needed, nothing else.
        let place = |config: &mut Value, path: &str, value: Value| {
            let parts: Vec<&str> = path.split('.').collect();
            let mut at = config;
            for part in &parts[..parts.len() - 1] {
                at = at.as_object_mut().unwrap().entry(*part).or_insert(json!({}));
            }
            at[parts[parts.len() - 1]] = value;
        };
        let mut config = json!({});
        for setting in of(Section::Plane) {
            place(&mut config, setting.path, setting.value_in(Defaults::PAGE));
        }
        assert_eq!(PlaneConfig::from_json(config.clone()).unwrap(), PlaneConfig::default());
        // One changed: only it moves; the nested configs keep the lab's defaults, not their own.
        place(&mut config, "flow.flow.layers", json!(3));
        let changed = PlaneConfig::from_json(config).unwrap();
        assert_eq!(changed.flow.flow.layers, 3);
        assert_eq!(PlaneConfig { flow: FlowTrainingConfig { flow: PlaneConfig::default().flow.flow, ..changed.flow.clone() }, ..changed }, PlaneConfig::default());
        assert!(PlaneConfig::from_json(json!({ "flow": { "layerz": 3 } })).is_err(), "an unknown setting is refused");
    }

    #[test]
    fn keys_and_flags_are_unique() {
        let mut keys: Vec<String> = SETTINGS.iter().map(Setting::key).collect();
        let mut flags: Vec<&str> = flags().collect();
        let (k, f) = (keys.len(), flags.len());
        keys.sort();
        keys.dedup();
        flags.sort();
        flags.dedup();
        assert_eq!((keys.len(), flags.len()), (k, f));
    }

    #[test]
    fn flags_set_their_path_and_refuse_what_lies_outside() {
        let given = |name: &str| match name {
            "layers" => Some("7"),
            "flow-lr" => Some("0.002"),
            _ => None,
        };
        let config: FlowTrainingConfig = from_flags(FLOW, Defaults::TABLE, FlowTrainingConfig { seed: 9, ..Default::default() }, given).unwrap();
        assert_eq!((config.flow.layers, config.learning_rate, config.seed), (7, 0.002, 9));
        assert_eq!(config.flow.hidden, FlowTrainingConfig::default().flow.hidden);
        let refused = |name: &'static str, text: &'static str| {
            from_flags(FLOW, Defaults::TABLE, FlowTrainingConfig::default(), move |n| (n == name).then_some(text)).unwrap_err().to_string()
        };
        assert!(refused("layers", "33").contains("--layers must be between 1 and 32, not 33"));
        assert!(refused("layers", "2.5").contains("--layers must be a whole number"));
        assert!(refused("flow-lr", "fast").contains("--flow-lr must be a number"));
        assert!(refused("flow-lr", "NaN").contains("--flow-lr must be between"));
    }

    #[test]
    fn a_baseline_takes_its_own_defaults_over_the_autoencoders() {
        let ae = AeTrainingConfig { epochs: 2, batch_size: 50, ..Default::default() };
        let vae: AeTrainingConfig = from_flags(VAE, Defaults::TABLE, ae.clone().baseline(Kind::Vae).unwrap(), |_| None).unwrap();
        let defaults = AeTrainingConfig::baseline_defaults(Kind::Vae, Preset::DEFAULT).unwrap();
        assert_eq!((vae.epochs, vae.batch_size, vae.model.variational), (defaults.epochs, 50, true));
        assert_ne!(defaults.epochs, ae.epochs);
    }

    #[test]
    fn the_help_lists_every_flag_with_its_default() {
        let help: String = Section::ALL.into_iter().map(flags_help).collect();
        for setting in SETTINGS.iter().filter(|s| s.flag.is_some()) {
            let line = help.lines().find(|l| l.starts_with(&format!("  --{} ", setting.flag.unwrap()))).unwrap();
            assert!(line.contains(setting.help), "{line}");
        }
        assert!(help.contains("--flow-lr X"), "{help}");
        assert!(help.lines().any(|l| l.starts_with("  --flow-lr ") && l.ends_with("[0.0005]")), "{help}");
    }
}
