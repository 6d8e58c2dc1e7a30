//! Training the autoencoder on reconstruction (paper eq. 3), a chunk at a time; with a
//! variational encoder, the VAE baseline on its ELBO; with an adversary, the AAE baseline.
//!
//! Adam at 1e-3, batch 100, 5 epochs, as the reference code. After every epoch the whole test
//! subset is scored in inference mode (BatchNorm's running statistics), a few hundred images per
//! unit of work so that a long test pass never holds up Pause.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};

use super::adam::Adam;
use burn::prelude::*;
use burn::tensor::TensorData;

use super::codes::LatentCodes;
use super::phase::{Look, Phase, Record, Standing};
use super::{Progress, snapshot};
use crate::device::read;
use crate::data::{Batches, Digits, PIXELS, Pixels};
use crate::error::{Error, Result};
use crate::kind::Kind;
use crate::limits;
use crate::memory;
use crate::models::autoencoder::{Autoencoder, AutoencoderConfig, bce_with_logits, negative_elbo};
use crate::models::Init;
use crate::models::wgan::{Critic, GanLoss};
use crate::preset::Preset;
use crate::rng::Rng;
use crate::sample::{Codes, Sampler};
use crate::weights::{NamedTensor, load_module, read_module};

/// Test images scored per unit of work in the end-of-epoch test pass.
const EVAL_BATCH: usize = 500;

/// Everything that decides an autoencoder run. The same settings and seed give the same losses
/// on the CPU backend.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AeTrainingConfig {
    /// Network widths.
    pub model: AutoencoderConfig,
    /// Passes over the training subset (paper: 5).
    pub epochs: usize,
    /// Images per step (paper: 100). At least 2: BatchNorm needs a batch to normalize over.
    pub batch_size: usize,
    /// Adam's step size (paper: 1e-3).
    pub learning_rate: f64,
    /// How many of the 60,000 training digits to use (the first N).
    pub train_images: usize,
    /// How many of the 10,000 test digits score the test loss (the first N).
    pub test_images: usize,
    /// Binarized (the paper) or grayscale inputs.
    pub pixels: Pixels,
    /// Seeds the weights and the batch order.
    pub seed: u64,
    /// Standard deviation of Gaussian noise added to the codes while training (the reference
    /// code's AdvAE and AAE autoencoders used 0.2); 0 for none.
    pub latent_noise: f64,
    /// The AAE baseline (Makhzani et al.): a discriminator also pushes the codes toward N(0, I).
    pub adversarial: Option<AdversaryConfig>,
}

/// The AAE's discriminator and its schedule: per batch, after the reconstruction step,
/// `steps` discriminator steps (fresh N(0, I) draws are "real", the batch's codes are "fake")
/// and one encoder step that tries to pass its codes off as real, all with the non-saturating
/// GAN loss.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdversaryConfig {
    /// Width of the discriminator's two hidden layers (reference: 20).
    pub hidden: usize,
    /// Adam's step size for the discriminator.
    pub learning_rate: f64,
    /// Adam's step size for the encoder's adversarial step (reference: the same as the
    /// discriminator's). Apart from it, a discriminator can keep up while the encoder moves gently.
    pub encoder_learning_rate: f64,
    /// Discriminator steps per batch (reference: 1). A discriminator that has caught up with
    /// the codes tells the encoder where they still differ from N(0, I); one step a batch
    /// leaves it behind, and the codes end each run somewhere else (docs/experiments.md).
    pub steps: usize,
}

impl Default for AdversaryConfig {
    fn default() -> Self {
        AdversaryConfig::preset(Preset::DEFAULT)
    }
}

impl AdversaryConfig {
    /// The settings of `preset`: the reference code's 20-unit discriminator at the
    /// autoencoder's learning rate, one step per batch; or tuned: 128 units, adversarial steps
    /// at 3e-4, which stops the test loss from jumping between epochs, and 5 discriminator
    /// steps per batch, which bring the codes closer to N(0, I) in every seed tried
    /// (docs/experiments.md).
    pub fn preset(preset: Preset) -> Self {
        match preset {
            Preset::Paper => AdversaryConfig { hidden: 20, learning_rate: 1e-3, encoder_learning_rate: 1e-3, steps: 1 },
            Preset::Tuned => AdversaryConfig { hidden: 128, learning_rate: 3e-4, encoder_learning_rate: 3e-4, steps: 5 },
        }
    }
}

/// The AAE's latent noise in `preset`: the reference code's N(0, 0.2²) on the codes while
/// training, or none (tuned: the noise blurred its samples, docs/experiments.md).
const fn aae_latent_noise(preset: Preset) -> f64 {
    match preset {
        Preset::Paper => 0.2,
        Preset::Tuned => 0.0,
    }
}

/// The AAE's reconstruction step size in `preset`: the autoencoder's, as in the reference
/// code, or tuned: 3e-4, the rate of its adversarial steps. At the autoencoder's 1e-3 the
/// reconstruction steps keep moving the codes faster than the discriminator can follow, and
/// where the codes end (so the FCD) changes from seed to seed (docs/experiments.md).
const fn aae_learning_rate(preset: Preset, autoencoder: f64) -> f64 {
    match preset {
        Preset::Paper => autoencoder,
        Preset::Tuned => 3e-4,
    }
}

impl Default for AeTrainingConfig {
    fn default() -> Self {
        AeTrainingConfig {
            model: AutoencoderConfig::default(),
            epochs: 5,
            batch_size: 100,
            learning_rate: 1e-3,
            train_images: 60_000,
            test_images: 10_000,
            pixels: Pixels::Binarized,
            seed: 1,
            latent_noise: 0.0,
            adversarial: None,
        }
    }
}

impl AeTrainingConfig {
    /// A baseline's settings on top of these: the VAE's encoder is variational; the AAE gets the
    /// default preset's discriminator and latent noise, unless these settings are already an
    /// AAE's. Any other model is not a baseline and is refused.
    pub fn baseline(mut self, kind: Kind) -> Result<Self> {
        match kind {
            Kind::Vae => self.model.variational = true,
            Kind::Aae => {
                if self.adversarial.is_none() {
                    self.adversarial = Some(AdversaryConfig::default());
                    self.latent_noise = aae_latent_noise(Preset::DEFAULT);
                }
            }
            other @ (Kind::Autoencoder | Kind::Flow | Kind::Wgan) => {
                return Err(Error::Config(format!("{other} is not a baseline (the baselines are vae and aae)")));
            }
        }
        Ok(self)
    }

    /// A baseline's settings in `preset` when nothing is given: the autoencoder's defaults
    /// with the baseline's recipe, trained for the reference code's epochs (VAE 33, AAE 10).
    /// Tuned, the AAE trains for 20 epochs at 3e-4 without latent noise (docs/experiments.md).
    pub fn baseline_defaults(kind: Kind, preset: Preset) -> Result<Self> {
        let epochs = match (kind, preset) {
            (Kind::Vae, _) => 33,
            (_, Preset::Paper) => 10,
            (_, Preset::Tuned) => 20,
        };
        let mut config = AeTrainingConfig { epochs, ..Self::default().baseline(kind)? };
        if config.adversarial.is_some() {
            config.adversarial = Some(AdversaryConfig::preset(preset));
            config.latent_noise = aae_latent_noise(preset);
            config.learning_rate = aae_learning_rate(preset, config.learning_rate);
        }
        Ok(config)
    }

    /// The model these settings make: a variational encoder is the VAE, a discriminator the
    /// AAE, neither the autoencoder under FlowAE and AdvAE.
    pub fn kind(&self) -> Kind {
        match (self.model.variational, &self.adversarial) {
            (true, _) => Kind::Vae,
            (false, Some(_)) => Kind::Aae,
            (false, None) => Kind::Autoencoder,
        }
    }

    /// Refuses settings that cannot train, naming the setting and its allowed range.
    pub fn validate(&self, available_train: usize, available_test: usize) -> Result<()> {
        self.model.validate()?;
        limits::check("epochs", self.epochs, &limits::EPOCHS)?;
        limits::check("learning rate", self.learning_rate, &limits::LEARNING_RATE)?;
        limits::within("training images", self.train_images, *limits::TRAIN_IMAGES.start(), available_train.max(2))?;
        limits::within("test images", self.test_images, *limits::TEST_IMAGES.start(), available_test.max(1))?;
        let batch = &limits::BATCH;
        limits::within("batch size", self.batch_size, *batch.start(), self.train_images.clamp(*batch.start(), *batch.end()))?;
        limits::check("latent noise", self.latent_noise, &limits::LATENT_NOISE)?;
        limits::check("seed", self.seed, &limits::SEED)?;
        if let Some(adversary) = &self.adversarial {
            limits::check("discriminator width", adversary.hidden, &limits::WIDTH)?;
            limits::check("discriminator learning rate", adversary.learning_rate, &limits::LEARNING_RATE)?;
            limits::check("encoder's adversarial learning rate", adversary.encoder_learning_rate, &limits::LEARNING_RATE)?;
            limits::check("discriminator steps per batch", adversary.steps, &limits::CRITIC_STEPS)?;
            if self.model.variational {
                return Err(Error::Config("an autoencoder is either variational or adversarial, not both".into()));
            }
        }
        if available_train < 2 || available_test < 1 {
            return Err(Error::Data("the training or test set is empty".into()));
        }
        memory::check(self.kind().description(), self.memory())
    }

    /// The memory a run needs (see [`memory`]): the encoder 784 → h → h → k (2k for a VAE's
    /// means and log-variances), the decoder back, the AAE's discriminator k → d → d → 1 on
    /// codes and on draws; each activation kept about four times for the backward pass.
    pub fn memory(&self) -> u64 {
        let (h, k) = (self.model.hidden as u64, self.model.latent as u64);
        let codes = if self.model.variational { 2 * k } else { k };
        let mut params = memory::dense(&[784, h, h, codes]) + memory::dense(&[k, h, h, 784]);
        let mut widths = 784 + 4 * h + codes + k + 784;
        if let Some(adversary) = &self.adversarial {
            let d = adversary.hidden as u64;
            params += memory::dense(&[k, d, d, 1]);
            widths += 2 * (2 * d + 1);
        }
        memory::training(params, self.batch_size as u64, widths, 4)
    }
}

/// Where a run stands; copied before each chunk so that a NaN can roll it back.
#[derive(Clone, Debug)]
pub struct Position {
    batches: Batches,
    step: usize,
    /// `Some(n)`: the end-of-epoch test pass has scored the first n test images.
    eval_next: Option<usize>,
    /// Per-slice test-loss sums of the test pass under way.
    eval_sums: Vec<Tensor<1>>,
    /// The VAE's posterior draws, the AAE's prior draws and the latent noise.
    noise: Rng,
}

/// An autoencoder being trained, resumable chunk by chunk.
pub struct AeTrainer {
    config: AeTrainingConfig,
    device: Device,
    model: Autoencoder,
    optim: ModuleOptimizer,
    train: Digits,
    test: Digits,
    at: Position,
    /// The model in inference mode for the test pass under way.
    inference: Option<Autoencoder>,
    /// The AAE's discriminator with its optimizer, and the optimizer of the encoder's
    /// adversarial step.
    adversary: Option<Adversary>,
}

#[derive(Clone)]
pub struct Adversary {
    discriminator: Critic,
    discriminator_optim: ModuleOptimizer,
    encoder_optim: ModuleOptimizer,
}

/// Test digits beside what the autoencoder makes of them, as pixel probabilities.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Reconstructions {
    /// The test digits as the model saw them, `count × 784`.
    pub inputs: Vec<f32>,
    /// sigmoid of the decoder's logits, `count × 784`.
    pub outputs: Vec<f32>,
}

/// Digits encoded or decoded in one pass when a whole set is read back (codes, reconstructions):
/// a thousand, so that no upload grows with the set.
const AT_A_TIME: usize = 1000;

impl AeTrainer {
    /// Prepares a run on `device` (autodiff is enabled here). Settings are checked first;
    /// nothing is allocated for invalid ones.
    pub fn new(config: AeTrainingConfig, train: &Digits, test: &Digits, device: &Device) -> Result<Self> {
        let mut init = Init::seeded(config.seed ^ 0xAE);
        Self::build(config, train, test, device, &mut init)
    }

    /// [`Self::new`] with the weights from `init`: the autoencoder's, then the AAE's
    /// discriminator's.
    fn build(config: AeTrainingConfig, train: &Digits, test: &Digits, device: &Device, init: &mut Init) -> Result<Self> {
        config.validate(train.len(), test.len())?;
        train.check_pixels(config.pixels)?;
        test.check_pixels(config.pixels)?;
        let device = device.clone().autodiff();
        let model = config.model.init(init, &device)?;
        let discriminator = match &config.adversarial {
            Some(a) => Some(Critic::new(config.model.latent, &[a.hidden, a.hidden], init, &device)?),
            None => None,
        };
        let optim = Adam::new(0.9, 0.999, 1e-8).optimizer();
        let train = train.take(config.train_images);
        let test = test.take(config.test_images);
        let batches = Batches::new(train.len(), config.batch_size, Rng::new(config.seed));
        let noise = Rng::new(config.seed ^ 0x7AE);
        let at = Position { batches, step: 0, eval_next: None, eval_sums: Vec::new(), noise };
        let adversary = discriminator.map(|discriminator| Adversary {
            discriminator,
            discriminator_optim: Adam::new(0.9, 0.999, 1e-8).optimizer(),
            encoder_optim: Adam::new(0.9, 0.999, 1e-8).optimizer(),
        });
        Ok(AeTrainer { config, device, model, optim, train, test, at, inference: None, adversary })
    }

    /// A finished run holding saved weights (named `prefix.…` in `tensors`): it reconstructs
    /// and samples as the saved model did. Every name and shape is checked before anything is
    /// built on them.
    pub fn restore(config: AeTrainingConfig, tensors: &[NamedTensor], prefix: &str, train: &Digits, test: &Digits, device: &Device) -> Result<Self> {
        let mut trainer = Self::build(config, train, test, device, &mut Init::Loaded)?;
        trainer.model = load_module(trainer.model, prefix, tensors)?;
        trainer.at.batches.epoch = trainer.config.epochs;
        Ok(trainer)
    }

    /// The codes this (frozen) autoencoder gives its training and test digits, to be encoded
    /// for a flow or a WGAN: what FlowAE and AdvAE learn.
    pub fn frozen_codes(&self) -> Result<LatentCodes> {
        LatentCodes::encode(&self.model, &self.train, &self.test, self.config.pixels)
    }

    /// The model's weights and running statistics, named `prefix.…`.
    pub async fn weights(&self, prefix: &str) -> Result<Vec<NamedTensor>> {
        read_module(&self.model.valid(), prefix).await
    }

    /// The settings this run was made with.
    pub fn config(&self) -> &AeTrainingConfig {
        &self.config
    }

    /// The model as it stands.
    pub fn model(&self) -> &Autoencoder {
        &self.model
    }

    /// Optimizer steps in one epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.train.len() / self.config.batch_size
    }

    /// Whether every epoch, with its test pass, is done.
    pub fn is_done(&self) -> bool {
        self.standing().done()
    }

    /// Runs at most `units` units of work (a training step, or one slice of the test pass),
    /// then reads the chunk's losses back in one transaction. A chunk ends early at the end of
    /// an epoch, so that every epoch's test loss is reported.
    ///
    /// A NaN or infinite loss rolls the run back to where this chunk began (weights, optimizer
    /// state and position) and returns [`Error::NonFinite`].
    pub async fn run(&mut self, units: usize) -> Result<Progress> {
        super::run::chunk(self, units).await
    }

    /// The first `count` test digits and their reconstructions.
    pub async fn reconstructions(&self, count: usize) -> Result<Reconstructions> {
        let inputs = self.reconstruction_inputs(count);
        let outputs = read(self.reconstruct(&inputs)).await?;
        Ok(Reconstructions { inputs, outputs })
    }

    /// What the model makes of the first `count` training digits, as pixel probabilities
    /// (`count × 784`): the samples a perfect sampler of its codes would decode to, so their
    /// FCD is the floor under FlowAE's and AdvAE's. Decoded [`AT_A_TIME`] at a time.
    pub async fn training_reconstructions(&self, count: usize) -> Result<Vec<f32>> {
        let count = count.min(self.train.len());
        let mut outputs = Vec::with_capacity(count * PIXELS);
        for start in (0..count).step_by(AT_A_TIME) {
            let indices: Vec<usize> = (start..(start + AT_A_TIME).min(count)).collect();
            outputs.extend(read(self.reconstruct(&self.train.batch(&indices, self.config.pixels))).await?);
        }
        Ok(outputs)
    }

    /// The first `count` test digits as the model sees them, `count × 784`.
    fn reconstruction_inputs(&self, count: usize) -> Vec<f32> {
        let indices: Vec<usize> = (0..count.min(self.test.len())).collect();
        self.test.batch(&indices, self.config.pixels)
    }

    /// What the model makes of `inputs` (whole images), on the device.
    fn reconstruct(&self, inputs: &[f32]) -> Tensor<2> {
        let model = self.model.valid();
        let x = Tensor::<2>::from_data(TensorData::new(inputs.to_vec(), [inputs.len() / PIXELS, PIXELS]), &self.device.clone().inner());
        model.decoder.probabilities(model.encoder.forward(x))
    }

    /// The codes of the first `count` test digits (a VAE's posterior means) and their labels:
    /// what the latent map draws.
    pub async fn test_codes(&self, count: usize) -> Result<(Vec<f32>, Vec<u8>)> {
        self.codes_of(&self.test, count).await
    }

    /// The codes of the first `count` training digits and their labels: the 2-D lab's points.
    pub async fn train_codes(&self, count: usize) -> Result<(Vec<f32>, Vec<u8>)> {
        self.codes_of(&self.train, count).await
    }

    /// How many digits the run trains on, and how many score it.
    pub fn train_count(&self) -> usize {
        self.train.len()
    }

    pub fn test_count(&self) -> usize {
        self.test.len()
    }

    /// The codes of the first `count` of `digits`, encoded [`AT_A_TIME`] at a time, and their labels.
    async fn codes_of(&self, digits: &Digits, count: usize) -> Result<(Vec<f32>, Vec<u8>)> {
        let count = count.min(digits.len());
        let model = self.model.valid();
        let mut codes = Vec::with_capacity(count * self.config.model.latent);
        for start in (0..count).step_by(AT_A_TIME) {
            let indices: Vec<usize> = (start..(start + AT_A_TIME).min(count)).collect();
            let x = self.upload(digits, &indices, &self.device.clone().inner());
            codes.extend(read(model.encoder.forward(x)).await?);
        }
        Ok((codes, digits.labels()[..count].to_vec()))
    }

    /// The model as a sampler: decodings of N(0, I) draws, what a plain autoencoder "samples"
    /// and what the VAE and the AAE were trained to sample.
    pub fn sampler(&self) -> Sampler {
        Sampler::new(self.config.kind(), Some(&self.model.decoder), Codes::Prior, self.config.model.latent, &self.device)
    }

    /// The AAE's adversarial steps on a batch: the discriminator learns to tell N(0, I) draws
    /// from the batch's codes (`steps` times, fresh draws each time), then the encoder learns to
    /// pass its codes off as draws. Returns the encoder's adversarial loss and the
    /// discriminator's last score gap.
    fn adversarial_steps(&mut self, x: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
        let (Some(mut adversary), Some(config)) = (self.adversary.take(), self.config.adversarial.clone()) else {
            return (Tensor::zeros([1], &self.device), Tensor::zeros([1], &self.device));
        };
        let [batch, _] = x.dims();
        let k = self.config.model.latent;
        let codes = self.model.encoder.forward(x.clone()).detach();
        let mut gap = Tensor::zeros([1], &self.device.clone().inner());
        for _ in 0..config.steps {
            let prior = Tensor::<2>::from_data(TensorData::new(self.at.noise.normals(batch * k), [batch, k]), &self.device);
            let (d_real, d_fake) = (adversary.discriminator.forward(prior), adversary.discriminator.forward(codes.clone()));
            gap = (d_real.clone().mean() - d_fake.clone().mean()).detach().inner();
            let loss = GanLoss::NonSaturating.critic_loss(d_real, d_fake);
            let grads = GradientsParams::from_grads(loss.backward(), &adversary.discriminator);
            adversary.discriminator = adversary.discriminator_optim.step(config.learning_rate, adversary.discriminator, grads);
        }

        let loss = GanLoss::NonSaturating.generator_loss(adversary.discriminator.forward(self.model.encoder.forward(x)));
        let grads = GradientsParams::from_grads(loss.backward(), &self.model.encoder);
        let mut model = self.model.clone();
        model.encoder = adversary.encoder_optim.step(config.encoder_learning_rate, model.encoder, grads);
        self.model = model;
        self.adversary = Some(adversary);
        (loss.detach().inner(), gap)
    }

    /// One slice of the end-of-epoch test pass, from test image `next`; the last one records
    /// the mean test loss and ends the epoch.
    fn evaluate(&mut self, next: usize, record: &mut Record) -> bool {
        let plain = self.device.clone().inner();
        let end = (next + EVAL_BATCH).min(self.test.len());
        let x = self.upload(&self.test, &(next..end).collect::<Vec<_>>(), &plain);
        // The model in inference mode, taken when the pass begins (no step comes between).
        let model = self.inference.get_or_insert_with(|| self.model.valid());
        // Fixed draws for a VAE, so that test losses differ only by the model.
        let mean = objective(model, x, 0.0, &mut Rng::new(self.config.seed ^ next as u64), &plain);
        self.at.eval_sums.push(mean.mul_scalar((end - next) as f64));
        if end < self.test.len() {
            self.at.eval_next = Some(end);
            return false;
        }
        let sums = Tensor::cat(std::mem::take(&mut self.at.eval_sums), 0);
        record.held_out(sums.sum().div_scalar(self.test.len() as f64));
        self.inference = None;
        self.at.eval_next = None;
        self.at.batches.next_epoch(self.config.epochs);
        true
    }

    fn upload(&self, digits: &Digits, indices: &[usize], device: &Device) -> Tensor<2> {
        let pixels = digits.batch(indices, self.config.pixels);
        Tensor::from_data(TensorData::new(pixels, [indices.len(), PIXELS]), device)
    }
}

impl Phase for AeTrainer {
    type Saved = (Autoencoder, ModuleOptimizer, Position, Option<Adversary>);
    const LOSS: &'static str = "loss";

    fn save(&self) -> Self::Saved {
        // The discriminator has no BatchNorm, so a clone shares nothing a chunk changes.
        (snapshot(&self.model), self.optim.clone(), self.at.clone(), self.adversary.clone())
    }

    fn restore(&mut self, saved: Self::Saved) {
        (self.model, self.optim, self.at, self.adversary) = saved;
        self.inference = None;
    }

    /// A training step (with the AAE's two adversarial steps), or a slice of the test pass.
    fn unit(&mut self, record: &mut Record) -> Result<bool> {
        if let Some(next) = self.at.eval_next {
            return Ok(self.evaluate(next, record));
        }
        let x = self.upload(&self.train, self.at.batches.current(), &self.device);
        let loss = objective(&self.model, x.clone(), self.config.latent_noise, &mut self.at.noise, &self.device);
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        self.model = self.optim.step(self.config.learning_rate, self.model.clone(), grads);
        let loss = loss.detach().inner();
        if self.adversary.is_some() {
            let (encoder_loss, gap) = self.adversarial_steps(x);
            record.adversarial_step(loss, encoder_loss, gap);
        } else {
            record.step(loss);
        }
        self.at.step += 1;
        if self.at.batches.advance() {
            self.at.eval_next = Some(0);
        }
        Ok(false)
    }

    fn standing(&self) -> Standing {
        let evaluating = self.at.eval_next.is_some();
        Standing { evaluating, ..Standing::new(&self.at.batches, self.config.epochs, self.at.step, self.steps_per_epoch()) }
    }

    /// The reconstructions of the first `look.reconstructions` test digits (when asked for),
    /// then decodings of N(0, I) draws: a plain autoencoder's "samples", the VAE's and the AAE's
    /// real ones.
    fn look(&self, look: &Look) -> Result<Vec<Tensor<2>>> {
        let mut pictures = Vec::new();
        if look.reconstructions > 0 {
            pictures.push(self.reconstruct(&self.reconstruction_inputs(look.reconstructions)));
        }
        pictures.push(self.sampler().pictures(look.count, 1.0, look.seed)?);
        Ok(pictures)
    }
}

/// The loss a batch of images costs `model`, in nats per image: the reconstruction BCE of a
/// plain autoencoder (its codes jittered by N(0, σ²) noise when `latent_noise` σ > 0), or a
/// VAE's negative ELBO, with the draws taken from `noise`.
fn objective(model: &Autoencoder, x: Tensor<2>, latent_noise: f64, noise: &mut Rng, device: &Device) -> Tensor<1> {
    if !model.encoder.is_variational() {
        let mut z = model.encoder.forward(x.clone());
        if latent_noise > 0.0 {
            let [batch, k] = z.dims();
            let jitter = noise.normals(batch * k).into_iter().map(|v| v * latent_noise as f32).collect();
            z = z + Tensor::from_data(TensorData::new(jitter, [batch, k]), device);
        }
        return bce_with_logits(model.decoder.forward(z), x);
    }
    let (mean, log_var) = model.encoder.posterior(x.clone());
    let [batch, k] = mean.dims();
    let eps = Tensor::from_data(TensorData::new(noise.normals(batch * k), [batch, k]), device);
    negative_elbo(&model.decoder, x, mean, log_var, eps)
}
