//! FlowAE's second phase: fitting RealNVP to the frozen encoder's codes by maximum likelihood
//! (paper eq. 4), a chunk at a time. The codes come from [`LatentCodes`], encoded once.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};

use super::adam::Adam;
use burn::prelude::*;

use super::codes::LatentCodes;
use super::phase::{Look, Phase, Record, Standing};
use super::Progress;
use crate::data::{Batches, Digits, Pixels};
use crate::error::{Error, Result};
use crate::models::autoencoder::Autoencoder;
use crate::limits;
use crate::memory;
use crate::models::Init;
use crate::models::realnvp::{RealNvp, RealNvpConfig};
use crate::preset::Preset;
use crate::rng::Rng;
use crate::kind::Kind;
use crate::sample::{Codes, Sampler};
use crate::weights::{NamedTensor, load_module, read_module};

/// Everything that decides a flow run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowTrainingConfig {
    /// Coupling layers and hidden width.
    pub flow: RealNvpConfig,
    /// Passes over the encoded training codes (reference code: 20).
    pub epochs: usize,
    /// Codes per step (reference code: 100).
    pub batch_size: usize,
    /// Adam's step size (reference code: 5e-4).
    pub learning_rate: f64,
    /// Seeds the flow's weights and the batch order.
    pub seed: u64,
}

impl Default for FlowTrainingConfig {
    fn default() -> Self {
        FlowTrainingConfig::preset(Preset::DEFAULT)
    }
}

impl FlowTrainingConfig {
    /// The settings of `preset`: the paper's five coupling layers, with this project's 64-unit
    /// scale and shift networks (the paper gives no width), or tuned: ten coupling layers of 128
    /// units. Ten is what the authors' code runs for the paper's "5 RealNVP layers" (each of its
    /// layers a coupling on either half); with them the flow's FCD comes nearly twice as close
    /// to the decoded codes' floor (15.6 above it against 28.2), and varies less from seed to
    /// seed (docs/experiments.md).
    pub fn preset(preset: Preset) -> Self {
        let paper = FlowTrainingConfig { flow: RealNvpConfig::default(), epochs: 20, batch_size: 100, learning_rate: 5e-4, seed: 1 };
        match preset {
            Preset::Paper => paper,
            Preset::Tuned => FlowTrainingConfig { flow: RealNvpConfig { layers: 10, hidden: 128 }, ..paper },
        }
    }
}

impl FlowTrainingConfig {
    /// Refuses settings that cannot train.
    pub fn validate(&self, latent: usize, codes: usize) -> Result<()> {
        self.flow.validate()?;
        limits::check("flow epochs", self.epochs, &limits::EPOCHS)?;
        limits::check("flow learning rate", self.learning_rate, &limits::LEARNING_RATE)?;
        limits::check("seed", self.seed, &limits::SEED)?;
        let batch = &limits::FLOW_BATCH;
        limits::within("flow batch size", self.batch_size, *batch.start(), codes.clamp(*batch.start(), *batch.end()))?;
        memory::check(Kind::Flow.description(), self.memory(latent))
    }

    /// The memory a run on `latent`-d codes needs (see [`memory`]): per coupling layer a scale
    /// and a shift network, half the code → hidden → half; each activation kept about twice.
    pub fn memory(&self, latent: usize) -> u64 {
        let (k, h, layers) = (latent as u64, self.flow.hidden as u64, self.flow.layers as u64);
        let half = k.div_ceil(2);
        let params = layers * 2 * memory::dense(&[half, h, half]);
        memory::training(params, self.batch_size as u64, layers * (2 * h + 4 * k), 2)
    }
}

/// Where a run stands; copied before each chunk so a NaN can roll it back.
#[derive(Clone, Debug)]
pub struct Position {
    batches: Batches,
    step: usize,
}

/// A flow being fitted to an autoencoder's codes.
pub struct FlowTrainer {
    config: FlowTrainingConfig,
    device: Device,
    codes: LatentCodes,
    flow: Option<RealNvp>,
    optim: ModuleOptimizer,
    at: Position,
}

impl FlowTrainer {
    /// Prepares a flow for the codes that `autoencoder` gives the `train` and `test` digits
    /// (converted by `pixels`, as the autoencoder was trained). The autoencoder is kept in
    /// inference mode and never updated.
    pub fn new(
        config: FlowTrainingConfig,
        autoencoder: &Autoencoder,
        train: &Digits,
        test: &Digits,
        pixels: Pixels,
        device: &Device,
    ) -> Result<Self> {
        Self::with_codes(config, LatentCodes::encode(autoencoder, train, test, pixels)?, device)
    }

    /// Prepares a flow for given codes (`latent` floats each), with no autoencoder: for toy
    /// densities and tests.
    pub fn from_codes(config: FlowTrainingConfig, latent: usize, train: Vec<f32>, test: Vec<f32>, device: &Device) -> Result<Self> {
        Self::with_codes(config, LatentCodes::given(latent, train, test)?, device)
    }

    /// Prepares a flow for `codes`, encoded or still to encode.
    pub fn with_codes(config: FlowTrainingConfig, codes: LatentCodes, device: &Device) -> Result<Self> {
        config.validate(codes.latent(), codes.train_count())?;
        let device = device.clone().autodiff();
        let batches = Batches::new(codes.train_count(), config.batch_size, Rng::new(config.seed ^ 0xF10E));
        let mut trainer = FlowTrainer {
            optim: Adam::new(0.9, 0.999, 1e-8).optimizer(),
            at: Position { batches, step: 0 },
            config,
            device,
            codes,
            flow: None,
        };
        if trainer.codes.is_ready() {
            trainer.start_flow()?;
        }
        Ok(trainer)
    }

    /// A finished run holding a saved flow (named `prefix.…` in `tensors`) for `codes`, which
    /// need not be encoded: sampling needs only the flow and the autoencoder's decoder.
    pub fn restore(config: FlowTrainingConfig, codes: LatentCodes, tensors: &[NamedTensor], prefix: &str, device: &Device) -> Result<Self> {
        let mut trainer = Self::with_codes(config, codes, device)?;
        let k = trainer.latent();
        let flow = trainer.config.flow.init(k, &vec![0.0; k], &vec![1.0; k], &mut Init::Loaded, &trainer.device)?;
        trainer.flow = Some(load_module(flow, prefix, tensors)?);
        trainer.at.batches.epoch = trainer.config.epochs;
        Ok(trainer)
    }

    /// The flow's weights, named `prefix.…`; none before the codes are encoded.
    pub async fn weights(&self, prefix: &str) -> Result<Option<Vec<NamedTensor>>> {
        match &self.flow {
            Some(flow) => Ok(Some(read_module(&flow.valid(), prefix).await?)),
            None => Ok(None),
        }
    }

    /// The settings this run was made with.
    pub fn config(&self) -> &FlowTrainingConfig {
        &self.config
    }

    /// The codes the flow learns.
    pub fn codes(&self) -> &LatentCodes {
        &self.codes
    }

    /// Optimizer steps in one epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.at.batches.per_epoch()
    }

    /// Whether every epoch is done.
    pub fn is_done(&self) -> bool {
        self.standing().done()
    }

    /// The flow, once the codes are encoded.
    pub fn flow(&self) -> Option<&RealNvp> {
        self.flow.as_ref()
    }

    fn latent(&self) -> usize {
        self.codes.latent()
    }

    /// FlowAE as a sampler: the flow's codes decoded by the autoencoder it learned.
    pub fn sampler(&self) -> Result<Sampler> {
        let flow = self.flow.clone().ok_or_else(|| Error::State("the flow has not started training yet".into()))?;
        let decoder = self.codes.autoencoder().ok().map(|ae| &ae.decoder);
        Ok(Sampler::new(Kind::Flow, decoder, Codes::Flow(flow), self.latent(), &self.device))
    }

    fn plain(&self) -> Device {
        self.device.clone().inner()
    }
}

impl Phase for FlowTrainer {
    type Saved = (Option<RealNvp>, ModuleOptimizer, Position);
    const LOSS: &'static str = "flow's loss";

    fn save(&self) -> Self::Saved {
        (self.flow.clone(), self.optim.clone(), self.at.clone())
    }

    fn restore(&mut self, saved: Self::Saved) {
        (self.flow, self.optim, self.at) = saved;
    }

    async fn prepare(&mut self, units: usize) -> Result<Option<(usize, usize)>> {
        if self.codes.is_ready() {
            return Ok(None);
        }
        let encoded = self.codes.encode_some(units, &self.plain()).await?;
        if self.codes.is_ready() && self.flow.is_none() {
            self.start_flow()?;
        }
        Ok(Some(encoded))
    }

    fn unit(&mut self, record: &mut Record) -> Result<bool> {
        let flow = self.flow.take().ok_or_else(|| Error::State("the flow was not initialized".into()))?;
        let z = self.codes.train_batch(self.at.batches.current(), &self.device);
        let loss = flow.negative_log_likelihood(z).mean().div_scalar(self.latent() as f64);
        let grads = GradientsParams::from_grads(loss.backward(), &flow);
        let flow = self.optim.step(self.config.learning_rate, flow, grads);
        record.step(loss.detach().inner());
        self.at.step += 1;
        let epoch_over = self.at.batches.advance();
        if epoch_over {
            record.held_out(self.held_out_nll(&flow));
            self.at.batches.next_epoch(self.config.epochs);
        }
        self.flow = Some(flow);
        Ok(epoch_over)
    }

    fn standing(&self) -> Standing {
        Standing::new(&self.at.batches, self.config.epochs, self.at.step, self.steps_per_epoch())
    }

    /// FlowAE samples, once the flow has started on an autoencoder's codes.
    fn look(&self, look: &Look) -> Result<Vec<Tensor<2>>> {
        if self.flow.is_none() || self.codes.autoencoder().is_err() {
            return Ok(Vec::new());
        }
        Ok(vec![self.sampler()?.pictures(look.count, look.temperature, look.seed)?])
    }
}

impl FlowTrainer {

    /// Runs at most `units` units of work: encoding a thousand digits, or one training step.
    /// An epoch's end (with its held-out NLL) ends the chunk. NLLs are in nats per latent
    /// dimension. A NaN or infinite loss rolls back to where the chunk began.
    pub async fn run(&mut self, units: usize) -> Result<Progress> {
        super::run::chunk(self, units).await
    }

    /// Builds the flow, its ActNorm standardizing the training codes.
    fn start_flow(&mut self) -> Result<()> {
        let (mean, std) = self.codes.train_mean_std();
        let flow = self.config.flow.init(self.latent(), &mean, &std, &mut Init::seeded(self.config.seed ^ 0xF10), &self.device)?;
        self.flow = Some(flow);
        Ok(())
    }

    /// Mean NLL of the held-out codes under `flow`, per latent dimension.
    fn held_out_nll(&self, flow: &RealNvp) -> Tensor<1> {
        let z = self.codes.test_batch(&self.plain());
        flow.valid().negative_log_likelihood(z).mean().div_scalar(self.latent() as f64)
    }
}
