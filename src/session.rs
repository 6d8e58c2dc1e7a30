//! Every model of a session as one file: what a visitor downloads and loads again, what the
//! browser keeps between visits, and the pretrained models shipped with the page.
//!
//! The file is a [`WeightsFile`] of kind "flowae-models". Its header records each model's
//! settings, so the models can be rebuilt at the right widths before their weights are loaded;
//! tensors are named `autoencoder.…`, `flow.…`, `wgan.generator.…`, `wgan.critic.…`, `vae.…`
//! and `aae.…`. The flow and the WGAN learned the autoencoder's codes, so a file holding either
//! must hold that autoencoder too. Everything is checked before anything is replaced.

use std::collections::BTreeMap;

use burn::prelude::*;
use serde_json::{Value, json};

use crate::data::Digits;
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::models::Init;
use crate::models::wgan::Generator;
use crate::sample::{Codes, Sampler};
use crate::train::phase::Look;
use crate::train::run::chunk_looking;
use crate::train::Progress;
use crate::train::{AeTrainer, AeTrainingConfig, FlowTrainer, FlowTrainingConfig, LatentCodes, WganTrainer, WganTrainingConfig};
use crate::weights::WeightsFile;

/// The file kind of a session's models.
pub const KIND: &str = "flowae-models";

/// The models of a session, each as its (finished or running) trainer.
#[derive(Default)]
pub struct Session {
    /// The autoencoder under FlowAE and AdvAE.
    pub autoencoder: Option<AeTrainer>,
    /// FlowAE's flow on that autoencoder's codes.
    pub flow: Option<FlowTrainer>,
    /// AdvAE's generator and critic on those codes.
    pub wgan: Option<WganTrainer>,
    /// The baselines ([`Kind::Vae`], [`Kind::Aae`]).
    pub baselines: BTreeMap<Kind, AeTrainer>,
}

impl Session {
    /// Forgets everything fitted to the current autoencoder's codes.
    pub fn drop_latent_models(&mut self) {
        self.flow = None;
        self.wgan = None;
    }

    /// The current autoencoder's codes for a new latent model: copied from a model that has
    /// already encoded them, or to be encoded.
    pub fn latent_codes(&self) -> Result<LatentCodes> {
        let ready = [self.flow.as_ref().map(|f| f.codes()), self.wgan.as_ref().map(|w| w.codes())];
        if let Some(codes) = ready.into_iter().flatten().find(|c| c.is_ready()) {
            return Ok(codes.clone());
        }
        let ae = self.autoencoder.as_ref().ok_or_else(|| Error::State("train the autoencoder first".into()))?;
        ae.frozen_codes()
    }

    /// The models present, in [`Kind::ALL`]'s order.
    pub fn models(&self) -> Vec<Kind> {
        Kind::ALL
            .into_iter()
            .filter(|&kind| match kind {
                Kind::Autoencoder => self.autoencoder.is_some(),
                Kind::Flow => self.flow.as_ref().is_some_and(|f| f.flow().is_some()),
                Kind::Wgan => self.wgan.as_ref().is_some_and(|w| w.models().is_some()),
                baseline => self.baselines.contains_key(&baseline),
            })
            .collect()
    }

    /// `kind` as a sampler (see [`Sampler`]): what draws its samples, its morph strip, its
    /// FCD and its codes on the latent map.
    pub fn sampler(&self, kind: Kind) -> Result<Sampler> {
        let missing = || Error::State(format!("there is no {} yet: train it first", kind.description()));
        match kind {
            Kind::Autoencoder => Ok(self.autoencoder.as_ref().ok_or_else(missing)?.sampler()),
            Kind::Flow => self.flow.as_ref().ok_or_else(missing)?.sampler(),
            Kind::Wgan => self.wgan.as_ref().ok_or_else(missing)?.sampler(),
            baseline => Ok(self.baselines.get(&baseline).ok_or_else(missing)?.sampler()),
        }
    }

    /// `count` samples of `kind` from `seed`, as pixel probabilities, `count × 784`: the flow's
    /// and the WGAN's from base draws at `temperature`, decoded by the autoencoder; the
    /// autoencoder's and the baselines' by decoding z ~ N(0, I) (the prior they were pulled to).
    pub async fn samples(&self, kind: Kind, count: usize, temperature: f32, seed: u64) -> Result<Vec<f32>> {
        self.sampler(kind)?.samples(count, temperature, seed).await
    }

    /// Starts a fresh run of `kind` on these digits and this device, replacing any run of it.
    /// `config` is its settings as JSON, any subset (the rest take their defaults; a baseline's
    /// are autoencoder settings, its recipe added here). A fresh autoencoder drops the flow and
    /// the WGAN, which modelled the old one's codes; a latent model freezes the autoencoder.
    /// Returns the settings in force and the steps per epoch; on an error nothing changes.
    pub fn start(&mut self, kind: Kind, config: Value, train: &Digits, test: &Digits, device: &Device) -> Result<(Value, usize)> {
        match kind {
            Kind::Flow => {
                let trainer = FlowTrainer::with_codes(settings(config, kind)?, self.latent_codes()?, device)?;
                let started = (setting(trainer.config())?, trainer.steps_per_epoch());
                self.flow = Some(trainer);
                Ok(started)
            }
            Kind::Wgan => {
                let trainer = WganTrainer::with_codes(settings(config, kind)?, self.latent_codes()?, device)?;
                let started = (setting(trainer.config())?, trainer.steps_per_epoch());
                self.wgan = Some(trainer);
                Ok(started)
            }
            encoder => {
                let config: AeTrainingConfig = settings(config, encoder)?;
                let config = if encoder.is_baseline() { config.baseline(encoder)? } else { config };
                let trainer = AeTrainer::new(config, train, test, device)?;
                let started = (setting(trainer.config())?, trainer.steps_per_epoch());
                if encoder == Kind::Autoencoder {
                    self.autoencoder = Some(trainer);
                    self.drop_latent_models();
                } else {
                    self.baselines.insert(encoder, trainer);
                }
                Ok(started)
            }
        }
    }

    /// At most `units` units of work of `kind`'s run (see [`chunk_looking`] for `look`).
    pub async fn train(&mut self, kind: Kind, units: usize, look: Option<&Look>) -> Result<Progress> {
        let missing = || Error::State(format!("no {} has been started", kind.description()));
        match kind {
            Kind::Autoencoder => chunk_looking(self.autoencoder.as_mut().ok_or_else(missing)?, units, look).await,
            Kind::Flow => chunk_looking(self.flow.as_mut().ok_or_else(missing)?, units, look).await,
            Kind::Wgan => chunk_looking(self.wgan.as_mut().ok_or_else(missing)?, units, look).await,
            baseline => chunk_looking(self.baselines.get_mut(&baseline).ok_or_else(missing)?, units, look).await,
        }
    }

    /// The morph strip: `steps` decodings along the path between the first base draws of two
    /// seeds (see [`crate::explore::base_path`]), through the flow or the generator.
    pub async fn path(&self, kind: Kind, seed_a: u64, seed_b: u64, steps: usize, temperature: f32) -> Result<Vec<f32>> {
        self.sampler(kind)?.morph(seed_a, seed_b, steps, temperature).await
    }

    /// Reads every model back from its device into one file; `about` goes into the header as
    /// is (what made the file, when). A flow or WGAN still encoding its digits has no weights
    /// yet and is left out.
    pub async fn to_file(&self, about: Value) -> Result<WeightsFile> {
        let mut meta = serde_json::Map::new();
        let mut tensors = Vec::new();
        if let Some(ae) = &self.autoencoder {
            meta.insert(Kind::Autoencoder.name().into(), setting(ae.config())?);
            tensors.extend(ae.weights(Kind::Autoencoder.name()).await?);
        }
        if let Some(flow) = &self.flow {
            if let Some(weights) = flow.weights(Kind::Flow.name()).await? {
                meta.insert(Kind::Flow.name().into(), setting(flow.config())?);
                tensors.extend(weights);
            }
        }
        if let Some(wgan) = &self.wgan {
            if let Some(weights) = wgan.weights(Kind::Wgan.name()).await? {
                meta.insert(Kind::Wgan.name().into(), setting(wgan.config())?);
                tensors.extend(weights);
            }
        }
        for (kind, trainer) in &self.baselines {
            meta.insert(kind.name().into(), setting(trainer.config())?);
            tensors.extend(trainer.weights(kind.name()).await?);
        }
        if meta.is_empty() {
            return Err(Error::State("there is no trained model to save yet".into()));
        }
        meta.insert("about".into(), about);
        Ok(WeightsFile { kind: KIND.into(), meta: Value::Object(meta), tensors })
    }

    /// Rebuilds every model a file holds on `device`, as finished runs (they sample as saved;
    /// training again starts a new run). The digits are those the models will reconstruct and
    /// encode. Fails, having built nothing the caller keeps, on any mismatch.
    pub fn from_file(file: &WeightsFile, train: &Digits, test: &Digits, device: &Device) -> Result<Session> {
        file.expect_kind(KIND)?;
        let meta = file.meta.as_object().ok_or_else(|| Error::Data("the models file has no settings".into()))?;
        let config = |kind: Kind| meta.get(kind.name()).cloned();
        if let Some(stray) = file.tensors.iter().find(|t| !meta.contains_key(t.name.split('.').next().unwrap_or_default())) {
            return Err(Error::Data(format!("the models file has {}, of no model its header lists", stray.name)));
        }
        let mut session = Session::default();
        if let Some(value) = config(Kind::Autoencoder) {
            let config: AeTrainingConfig = parse(value, Kind::Autoencoder)?;
            session.autoencoder = Some(AeTrainer::restore(fit(config, train, test), &file.tensors, Kind::Autoencoder.name(), train, test, device)?);
        }
        let codes = |session: &Session| -> Result<LatentCodes> {
            let ae = session.autoencoder.as_ref().ok_or_else(|| Error::Data("the file has a latent model but not the autoencoder it was fitted to".into()))?;
            ae.frozen_codes()
        };
        if let Some(value) = config(Kind::Flow) {
            let config: FlowTrainingConfig = parse(value, Kind::Flow)?;
            session.flow = Some(FlowTrainer::restore(config, codes(&session)?, &file.tensors, Kind::Flow.name(), device)?);
        }
        if let Some(value) = config(Kind::Wgan) {
            let config: WganTrainingConfig = parse(value, Kind::Wgan)?;
            session.wgan = Some(WganTrainer::restore(config, codes(&session)?, &file.tensors, Kind::Wgan.name(), device)?);
        }
        for kind in Kind::ALL.into_iter().filter(|k| k.is_baseline()) {
            if let Some(value) = config(kind) {
                let config: AeTrainingConfig = parse(value, kind)?;
                let trainer = AeTrainer::restore(fit(config, train, test), &file.tensors, kind.name(), train, test, device)?;
                session.baselines.insert(kind, trainer);
            }
        }
        if session.models().is_empty() {
            return Err(Error::Data("the models file holds no model".into()));
        }
        Ok(session)
    }
}

/// Just enough of a models file to draw FlowAE and AdvAE samples, built without MNIST: the
/// page's first picture, drawn while the digits are still downloading. Its samples are those
/// the restored [`Session`] gives for the same seed, as both are drawn by a [`Sampler`].
pub struct Preview {
    samplers: Vec<Sampler>,
}

impl Preview {
    /// The flow and the generator of a models file, each with the autoencoder's decoder, on
    /// `device` (the CPU is quickest for a few dozen samples).
    pub fn from_file(file: &WeightsFile, device: &Device) -> Result<Preview> {
        file.expect_kind(KIND)?;
        let meta = &file.meta;
        let ae = Kind::Autoencoder;
        let ae: AeTrainingConfig = parse(meta.get(ae.name()).cloned().ok_or_else(|| Error::Data("the models file has no autoencoder".into()))?, ae)?;
        ae.validate(usize::MAX, usize::MAX)?;
        let inner = device.clone().inner();
        let autoencoder = crate::weights::load_module(ae.model.init(&mut Init::Loaded, &inner)?, Kind::Autoencoder.name(), &file.tensors)?;
        let k = ae.model.latent;
        let mut samplers = Vec::new();
        if let Some(value) = meta.get(Kind::Flow.name()) {
            let config: FlowTrainingConfig = parse(value.clone(), Kind::Flow)?;
            config.validate(k, usize::MAX)?; // the codes it learned are not here to count
            let flow = config.flow.init(k, &vec![0.0; k], &vec![1.0; k], &mut Init::Loaded, &inner)?;
            let flow = crate::weights::load_module(flow, Kind::Flow.name(), &file.tensors)?;
            samplers.push(Sampler::new(Kind::Flow, Some(&autoencoder.decoder), Codes::Flow(flow), k, &inner));
        }
        if let Some(value) = meta.get(Kind::Wgan.name()) {
            let config: WganTrainingConfig = parse(value.clone(), Kind::Wgan)?;
            config.validate(k, usize::MAX)?; // the codes it learned are not here to count
            let generator = Generator::new(k, config.generator_hidden, &mut Init::Loaded, &inner);
            let generator = crate::weights::load_module(generator, "wgan.generator", &file.tensors)?;
            samplers.push(Sampler::new(Kind::Wgan, Some(&autoencoder.decoder), Codes::Generator(generator), k, &inner));
        }
        Ok(Preview { samplers })
    }

    /// The sampler of the flow or the WGAN; `None` when the file has no such model.
    pub fn sampler(&self, kind: Kind) -> Option<&Sampler> {
        self.samplers.iter().find(|s| s.kind() == kind)
    }

    /// Which of the flow and the WGAN the file holds.
    pub fn models(&self) -> Vec<Kind> {
        self.samplers.iter().map(Sampler::kind).collect()
    }
}

/// Whether any model of a models file trained on grayscale pixels (the autoencoder or a
/// baseline), so that the grayscale digits must be loaded before the file can be.
pub fn needs_grayscale(file: &WeightsFile) -> bool {
    let encoders = Kind::ALL.into_iter().filter(|k| k.has_encoder());
    encoders.filter_map(|kind| Some((kind, file.meta.get(kind.name())?))).any(|(kind, value)| {
        parse::<AeTrainingConfig>(value.clone(), kind).is_ok_and(|config| config.pixels == crate::data::Pixels::Grayscale)
    })
}

/// Settings given to [`Session::start`], with a message naming the model when they do not parse.
fn settings<T: serde::de::DeserializeOwned>(value: Value, kind: Kind) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::Config(format!("the {} settings are not understood: {e}", kind.description())))
}

/// Settings from the file's header, with a message naming the model when they do not parse.
fn parse<T: serde::de::DeserializeOwned>(value: Value, kind: Kind) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::Data(format!("the {kind} settings in the file are not understood: {e}")))
}

/// A saved model may have trained on more digits than are loaded here (a page that loads a
/// subset): it only needs as many as there are.
fn fit(mut config: AeTrainingConfig, train: &Digits, test: &Digits) -> AeTrainingConfig {
    config.train_images = config.train_images.min(train.len());
    config.test_images = config.test_images.min(test.len());
    config
}

/// Settings as JSON for the header.
fn setting<T: serde::Serialize>(config: &T) -> Result<Value> {
    serde_json::to_value(config).map_err(|e| Error::Data(format!("settings cannot be written: {e}")))
}

/// What the native tool writes into a file's `about`.
pub fn about(made_by: &str) -> Value {
    json!({ "made_by": made_by, "format": crate::weights::FORMAT_VERSION })
}
