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
use crate::dataset::DataSet;
use crate::device::release_graph;
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::models::Init;
use crate::inspect::Readers;
use crate::models::wgan::{Critic, Generator};
use crate::sample::{Codes, Sampler};
use crate::train::phase::Look;
use crate::train::run::chunk_looking;
use crate::train::Progress;
use crate::train::{AeTrainer, AeTrainingConfig, FlowTrainer, FlowTrainingConfig, LatentCodes, WganTrainer, WganTrainingConfig};
use crate::weights::{NamedTensor, WeightsFile};

/// The file kind of a session's models.
pub const KIND: &str = "flowae-models";

/// One model's (finished or running) run, whatever the model: everything the session does to
/// a model goes through here, so that a new model is one more variant and its trainer, not an
/// arm in every method of [`Session`].
pub enum Run {
    /// The autoencoder, or a baseline (an autoencoder of its own, [`Kind::is_baseline`]).
    Encoder(AeTrainer),
    /// FlowAE's flow on the autoencoder's codes.
    Flow(FlowTrainer),
    /// AdvAE's generator and critic on those codes.
    Wgan(WganTrainer),
}

impl Run {
    /// A fresh run of `kind` with `config` (see [`Session::start`]); `codes`: the autoencoder's,
    /// asked for only by the models fitted to them.
    ///
    /// On a small set of the visitor's (see [`DataSet::epoch_images`]) every model passes over
    /// it `passes` times an epoch, takes all of it when asked for more, and a batch is at most
    /// the set: what the returned settings in force then say.
    fn start(kind: Kind, config: Value, codes: impl FnOnce() -> Result<LatentCodes>, train: &Digits, test: &Digits, device: &Device) -> Result<Run> {
        let passes = passes(train);
        Ok(match kind {
            Kind::Flow => {
                let (mut config, codes): (FlowTrainingConfig, _) = (settings(config, kind)?, codes()?);
                (config.epochs, config.batch_size) = repeated(config.epochs, config.batch_size, codes.train_count(), passes);
                Run::Flow(FlowTrainer::with_codes(config, codes, device)?)
            }
            Kind::Wgan => {
                let (mut config, codes): (WganTrainingConfig, _) = (settings(config, kind)?, codes()?);
                (config.epochs, config.batch_size) = repeated(config.epochs, config.batch_size, codes.train_count(), passes);
                Run::Wgan(WganTrainer::with_codes(config, codes, device)?)
            }
            encoder @ (Kind::Autoencoder | Kind::Vae | Kind::Aae) => {
                let config: AeTrainingConfig = settings(config, encoder)?;
                let config = if encoder.is_baseline() { config.baseline(encoder)? } else { config };
                Run::Encoder(AeTrainer::new(fit_small(config, train, test), train, test, device)?)
            }
        })
    }

    /// `kind` rebuilt from its settings in a file's header (`value`) and the file's tensors, as
    /// a finished run.
    fn restore(kind: Kind, value: Value, tensors: &[NamedTensor], codes: impl FnOnce() -> Result<LatentCodes>, train: &Digits, test: &Digits, device: &Device) -> Result<Run> {
        let prefix = kind.name();
        Ok(match kind {
            Kind::Flow => Run::Flow(FlowTrainer::restore(parse(value, kind)?, codes()?, tensors, prefix, device)?),
            Kind::Wgan => Run::Wgan(WganTrainer::restore(parse(value, kind)?, codes()?, tensors, prefix, device)?),
            encoder @ (Kind::Autoencoder | Kind::Vae | Kind::Aae) => Run::Encoder(AeTrainer::restore(fit(parse(value, encoder)?, train, test), tensors, prefix, train, test, device)?),
        })
    }

    /// Its settings, as the models file's header and the page record them.
    pub fn config(&self) -> Result<Value> {
        match self {
            Run::Encoder(t) => setting(t.config()),
            Run::Flow(t) => setting(t.config()),
            Run::Wgan(t) => setting(t.config()),
        }
    }

    /// Reported steps in one epoch.
    pub fn steps_per_epoch(&self) -> usize {
        match self {
            Run::Encoder(t) => t.steps_per_epoch(),
            Run::Flow(t) => t.steps_per_epoch(),
            Run::Wgan(t) => t.steps_per_epoch(),
        }
    }

    /// Whether it has networks yet: a flow or a WGAN still encoding its digits has none.
    pub fn has_networks(&self) -> bool {
        match self {
            Run::Encoder(_) => true,
            Run::Flow(t) => t.flow().is_some(),
            Run::Wgan(t) => t.models().is_some(),
        }
    }

    /// What draws its samples, its morph strip, its FCD and its codes on the latent map.
    pub fn sampler(&self) -> Result<Sampler> {
        match self {
            Run::Encoder(t) => Ok(t.sampler()),
            Run::Flow(t) => t.sampler(),
            Run::Wgan(t) => t.sampler(),
        }
    }

    /// Its weights read back, named under `prefix`; none before it has networks.
    pub async fn weights(&self, prefix: &str) -> Result<Option<Vec<NamedTensor>>> {
        match self {
            Run::Encoder(t) => t.weights(prefix).await.map(Some),
            Run::Flow(t) => t.weights(prefix).await,
            Run::Wgan(t) => t.weights(prefix).await,
        }
    }

    /// At most `units` units of work (see [`chunk_looking`]).
    pub async fn chunk(&mut self, units: usize, look: Option<&Look>) -> Result<Progress> {
        match self {
            Run::Encoder(t) => chunk_looking(t, units, look).await,
            Run::Flow(t) => chunk_looking(t, units, look).await,
            Run::Wgan(t) => chunk_looking(t, units, look).await,
        }
    }

    /// Whether every epoch is done.
    pub fn is_done(&self) -> bool {
        match self {
            Run::Encoder(t) => t.is_done(),
            Run::Flow(t) => t.is_done(),
            Run::Wgan(t) => t.is_done(),
        }
    }

    /// The autoencoder codes it was fitted to, once encoded (the flow's and the WGAN's).
    fn codes(&self) -> Option<&LatentCodes> {
        match self {
            Run::Encoder(_) => None,
            Run::Flow(t) => Some(t.codes()),
            Run::Wgan(t) => Some(t.codes()),
        }
        .filter(|c| c.is_ready())
    }

    /// The autoencoder or baseline it is, if it is one (what reconstructs and maps digits).
    pub fn encoder(&self) -> Option<&AeTrainer> {
        match self {
            Run::Encoder(t) => Some(t),
            _ => None,
        }
    }
}

/// The models of a session: each model's run, by its [`Kind`].
#[derive(Default)]
pub struct Session {
    runs: BTreeMap<Kind, Run>,
    /// What its models learned: the digits' set of its last [`Session::start`] or
    /// [`Session::open`], which [`Session::to_file`] records.
    data: DataSet,
}

impl Session {
    /// `kind`'s run, if it has one.
    pub fn get(&self, kind: Kind) -> Option<&Run> {
        self.runs.get(&kind)
    }

    /// Puts `run` in as `kind`'s, replacing any (nothing else changes: see [`Session::start`]
    /// for a fresh run).
    pub fn insert(&mut self, kind: Kind, run: Run) {
        self.runs.insert(kind, run);
    }

    /// Takes `kind`'s run out, for a call that reads it across an await; put it back with
    /// [`Session::insert`].
    pub fn take(&mut self, kind: Kind) -> Option<Run> {
        self.runs.remove(&kind)
    }

    /// Forgets every model.
    pub fn clear(&mut self) {
        self.runs.clear();
    }

    /// The autoencoder or baseline `kind`, or why there is none.
    pub fn encoder(&self, kind: Kind) -> Result<&AeTrainer> {
        self.get(kind).and_then(Run::encoder).ok_or_else(|| missing(kind))
    }

    /// Forgets everything fitted to the current autoencoder's codes.
    pub fn drop_latent_models(&mut self) {
        self.runs.retain(|kind, _| kind.has_encoder());
    }

    /// The current autoencoder's codes for a new latent model: copied from a model that has
    /// already encoded them, or to be encoded.
    pub fn latent_codes(&self) -> Result<LatentCodes> {
        if let Some(codes) = self.runs.values().find_map(Run::codes) {
            return Ok(codes.clone());
        }
        self.encoder(Kind::Autoencoder).map_err(|_| Error::State("train the autoencoder first".into()))?.frozen_codes()
    }

    /// The autoencoder and, when fitted to its codes, the flow and the critic, in inference
    /// mode on `device`'s inner backend: what reads a drawn digit (see [`crate::inspect`]).
    pub fn readers(&self, device: &Device) -> Result<Readers> {
        let autoencoder = self.encoder(Kind::Autoencoder)?;
        let flow = match self.get(Kind::Flow) {
            Some(Run::Flow(t)) => t.flow().map(|f| f.valid()),
            _ => None,
        };
        let critic = match self.get(Kind::Wgan) {
            Some(Run::Wgan(t)) => t.models().map(|(_, critic)| critic.valid()),
            _ => None,
        };
        let pixels = autoencoder.config().pixels;
        Ok(Readers { autoencoder: autoencoder.model().valid(), pixels, flow, critic, device: device.clone().inner() })
    }

    /// The models present (with networks), in [`Kind::ALL`]'s order.
    pub fn models(&self) -> Vec<Kind> {
        self.runs.iter().filter(|(_, run)| run.has_networks()).map(|(&kind, _)| kind).collect()
    }

    /// `kind` as a sampler (see [`Sampler`]): what draws its samples, its morph strip, its
    /// FCD and its codes on the latent map.
    pub fn sampler(&self, kind: Kind) -> Result<Sampler> {
        self.get(kind).ok_or_else(|| missing(kind))?.sampler()
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
        let run = Run::start(kind, config, || self.latent_codes(), train, test, device)?;
        let started = (run.config()?, run.steps_per_epoch());
        self.data = train.set();
        if kind == Kind::Autoencoder {
            self.drop_latent_models();
        }
        self.runs.insert(kind, run);
        Ok(started)
    }

    /// At most `units` units of work of `kind`'s run (see [`chunk_looking`] for `look`).
    pub async fn train(&mut self, kind: Kind, units: usize, look: Option<&Look>) -> Result<Progress> {
        let run = self.runs.get_mut(&kind).ok_or_else(|| Error::State(format!("no {} has been started", kind.description())))?;
        run.chunk(units, look).await
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
        for (kind, run) in &self.runs {
            if let Some(weights) = run.weights(kind.name()).await? {
                meta.insert(kind.name().into(), run.config()?);
                tensors.extend(weights);
            }
        }
        if meta.is_empty() {
            return Err(Error::State("there is no trained model to save yet".into()));
        }
        meta.insert("about".into(), about);
        meta.insert("data".into(), self.data.name().into());
        Ok(WeightsFile { kind: KIND.into(), meta: Value::Object(meta), tensors })
    }

    /// Rebuilds every model a file holds on `device`, as finished runs (they sample as saved;
    /// training again starts a new run), or fails on the first model that does not load. The
    /// digits are those the models will reconstruct and encode. See [`Session::open`] for a
    /// file whose models are judged one by one.
    pub fn from_file(file: &WeightsFile, train: &Digits, test: &Digits, device: &Device) -> Result<Session> {
        let opened = Self::open(file, train, test, device)?;
        match opened.broken.into_iter().next() {
            Some(broken) => Err(broken.error),
            None => Ok(opened.session),
        }
    }

    /// Opens a models file model by model: what does not fit the file as a whole (another kind
    /// of file, a header without settings, a tensor of no model) fails it; a model whose
    /// settings or weights are wrong is set aside as [`Broken`] and the others load, so that a
    /// visitor can be told which model is damaged and keep the rest. A latent model whose
    /// autoencoder is broken or missing is broken too (it was fitted to that autoencoder's
    /// codes). Either way, what the autodiff graph held for models dropped before is freed
    /// (see [`release_graph`]).
    pub fn open(file: &WeightsFile, train: &Digits, test: &Digits, device: &Device) -> Result<Opened> {
        let opened = Self::open_file(file, train, test, device);
        release_graph(device);
        opened
    }

    fn open_file(file: &WeightsFile, train: &Digits, test: &Digits, device: &Device) -> Result<Opened> {
        file.expect_kind(KIND)?;
        let meta = file.meta.as_object().ok_or_else(|| Error::Data("the models file has no settings".into()))?;
        let data = DataSet::of_meta(&file.meta)?;
        if data != train.set() {
            return Err(Error::Data(format!(
                "these models learned {}, and {} is loaded: open them with {} (data={})",
                data.title(),
                train.set().title(),
                data.title(),
                data.name()
            )));
        }
        if let Some(stray) = file.tensors.iter().find(|t| !meta.contains_key(t.name.split('.').next().unwrap_or_default())) {
            return Err(Error::Data(format!("the models file has {}, of no model its header lists", stray.name)));
        }
        let mut session = Session { data, ..Session::default() };
        let mut broken: Vec<Broken> = Vec::new();
        // In Kind::ALL's order: the autoencoder before the models fitted to its codes.
        for kind in Kind::ALL {
            let Some(value) = meta.get(kind.name()).cloned() else { continue };
            let autoencoder_broken = broken.iter().any(|b| b.kind == Kind::Autoencoder);
            let codes = || match session.encoder(Kind::Autoencoder) {
                Ok(ae) => ae.frozen_codes(),
                Err(_) if autoencoder_broken => Err(Error::Data(FITTED_TO_BROKEN.into())),
                Err(_) => Err(Error::Data("the file has a latent model but not the autoencoder it was fitted to".into())),
            };
            match Run::restore(kind, value, &file.tensors, codes, train, test, device) {
                Ok(run) => {
                    session.runs.insert(kind, run);
                }
                Err(error) => broken.push(Broken { kind, error }),
            }
        }
        if session.models().is_empty() && broken.is_empty() {
            return Err(Error::Data("the models file holds no model".into()));
        }
        Ok(Opened { session, broken })
    }
}

/// Why a latent model cannot be used when its autoencoder cannot.
const FITTED_TO_BROKEN: &str = "it was fitted to the codes of the file's autoencoder, which cannot be used";

/// A model of a models file that cannot be used, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Broken {
    /// Which model.
    pub kind: Kind,
    /// Why, for the person who chose the file.
    pub error: Error,
}

/// A models file opened model by model (see [`Session::open`]): the models that load, and
/// those that do not.
pub struct Opened {
    /// The models that loaded (and, after [`Opened::checked`], sample).
    pub session: Session,
    /// The models that did not, in [`Kind::ALL`]'s order.
    pub broken: Vec<Broken>,
}

impl Opened {
    /// Draws samples of every model that loaded ([`Sampler::check`]): those whose samples are
    /// not numbers, or saturated everywhere, leave the session for `broken`. A file is to be
    /// trusted only when this leaves `broken` empty. The flow and the WGAN decode through the
    /// autoencoder, so when it fails they go with it.
    pub async fn checked(mut self) -> Opened {
        for kind in self.session.models() {
            if !self.session.runs.contains_key(&kind) {
                continue; // gone with its autoencoder
            }
            let verdict = match self.session.sampler(kind) {
                Ok(sampler) => sampler.check().await,
                Err(error) => Err(error),
            };
            if let Err(error) = verdict {
                self.session.runs.remove(&kind);
                self.broken.push(Broken { kind, error });
                if kind == Kind::Autoencoder {
                    for latent in Kind::ALL.into_iter().filter(|k| !k.has_encoder()) {
                        if self.session.runs.remove(&latent).is_some() {
                            self.broken.push(Broken { kind: latent, error: Error::Data(FITTED_TO_BROKEN.into()) });
                        }
                    }
                }
            }
        }
        self.broken.sort_by_key(|b| b.kind);
        self
    }

    /// What is wrong with the file, model by model, in one message (empty when nothing is).
    pub fn problems(&self) -> String {
        self.broken.iter().map(|b| format!("its {} cannot be used ({})", b.kind.description(), b.error)).collect::<Vec<_>>().join("; ")
    }
}

/// Just enough of a models file to draw FlowAE and AdvAE samples, built without MNIST: the
/// page's first picture, drawn while the digits are still downloading. Its samples are those
/// the restored [`Session`] gives for the same seed, as both are drawn by a [`Sampler`].
pub struct Preview {
    samplers: Vec<Sampler>,
    /// What reads a drawn digit before anything is trained (see [`crate::inspect`]).
    readers: Readers,
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
        let mut readers = Readers { autoencoder: autoencoder.clone(), pixels: ae.pixels, flow: None, critic: None, device: inner.clone() };
        if let Some(value) = meta.get(Kind::Flow.name()) {
            let config: FlowTrainingConfig = parse(value.clone(), Kind::Flow)?;
            config.validate(k, usize::MAX)?; // the codes it learned are not here to count
            let flow = config.flow.init(k, &vec![0.0; k], &vec![1.0; k], &mut Init::Loaded, &inner)?;
            let flow = crate::weights::load_module(flow, Kind::Flow.name(), &file.tensors)?;
            readers.flow = Some(flow.clone());
            samplers.push(Sampler::new(Kind::Flow, Some(&autoencoder.decoder), Codes::Flow(flow), k, &inner));
        }
        if let Some(value) = meta.get(Kind::Wgan.name()) {
            let config: WganTrainingConfig = parse(value.clone(), Kind::Wgan)?;
            config.validate(k, usize::MAX)?; // the codes it learned are not here to count
            let generator = Generator::new(k, config.generator_hidden, &mut Init::Loaded, &inner);
            let generator = crate::weights::load_module(generator, "wgan.generator", &file.tensors)?;
            let critic = Critic::new(k, &[config.critic_hidden, config.critic_hidden], &mut Init::Loaded, &inner)?;
            readers.critic = Some(crate::weights::load_module(critic, "wgan.critic", &file.tensors)?);
            samplers.push(Sampler::new(Kind::Wgan, Some(&autoencoder.decoder), Codes::Generator(generator), k, &inner));
        }
        Ok(Preview { samplers, readers })
    }

    /// The sampler of the flow or the WGAN; `None` when the file has no such model.
    pub fn sampler(&self, kind: Kind) -> Option<&Sampler> {
        self.samplers.iter().find(|s| s.kind() == kind)
    }

    /// Which of the flow and the WGAN the file holds.
    pub fn models(&self) -> Vec<Kind> {
        self.samplers.iter().map(Sampler::kind).collect()
    }

    /// The file's autoencoder, flow and critic, to read a drawn digit with.
    pub fn readers(&self) -> &Readers {
        &self.readers
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

/// Why `kind` cannot be used: it has no model yet.
fn missing(kind: Kind) -> Error {
    Error::State(format!("there is no {} yet: train it first", kind.description()))
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

/// An autoencoder's (or baseline's) settings for `train` when it is a small set of the
/// visitor's (see [`Run::start`]): all of it, passed over [`passes`] times an epoch, batches
/// at most the set. Unchanged on the shipped sets.
pub fn fit_small(config: AeTrainingConfig, train: &Digits, test: &Digits) -> AeTrainingConfig {
    let passes = passes(train);
    if passes == 1 {
        return config;
    }
    let mut config = fit(config, train, test);
    (config.epochs, config.batch_size) = repeated(config.epochs, config.batch_size, config.train_images, passes);
    config
}

/// `(epochs, batch_size)` of a run over `count` images (or codes) passed over `passes` times
/// an epoch: unchanged at one pass; else the epochs multiplied (at most the limit's) and a
/// batch at most the set.
fn repeated(epochs: usize, batch_size: usize, count: usize, passes: usize) -> (usize, usize) {
    if passes == 1 {
        return (epochs, batch_size);
    }
    (epochs.saturating_mul(passes).min(*crate::limits::EPOCHS.end()), batch_size.min(count.max(1)))
}

/// Passes over `train` that one epoch makes: 1, or on a set smaller than the images an epoch
/// stands for ([`DataSet::epoch_images`]: the visitor's own) as many as make them up.
pub fn passes(train: &Digits) -> usize {
    train.set().epoch_images().map_or(1, |images| images.div_ceil(train.len().max(1)).max(1))
}

/// Settings as JSON for the header.
fn setting<T: serde::Serialize>(config: &T) -> Result<Value> {
    serde_json::to_value(config).map_err(|e| Error::Data(format!("settings cannot be written: {e}")))
}

/// What the native tool writes into a file's `about`.
pub fn about(made_by: &str) -> Value {
    json!({ "made_by": made_by, "format": crate::weights::FORMAT_VERSION })
}
