//! AdvAE's second phase: a generator learns the frozen encoder's codes against a critic, with
//! WGAN-GP (paper eqs. 7–8) or the non-saturating GAN loss (eqs. 5–6), a chunk at a time.
//!
//! The schedule. The reference code took one generator step per 600 critic steps (40 generator
//! steps in all), which leaves the generator barely trained. Here, as in Gulrajani et al.'s
//! WGAN-GP, the critic takes `critic_steps` (default 5) steps, each on the next batch of real
//! codes, then the generator takes one; an epoch is one pass of the critic over the training
//! codes, so 60,000 codes in batches of 100 give 120 generator steps per epoch. Adam with
//! β = (0.5, 0.9), the usual choice for adversarial training, and a step size of 1e-3 for both
//! networks: the networks are small and the latent space is 10-d. On MNIST codes (20 epochs,
//! the reference widths) 1e-4 had not come close after 5 epochs, and neither 40 epochs nor a
//! learning rate decaying to zero beat 1e-3 held constant, measured by the Fréchet distance
//! between generated and held-out codes. WGAN-GP does not settle: the pair circles the
//! equilibrium (Mescheder et al., 2018), so the samples are as good as wherever training stops;
//! the critic's estimate says how far off that is.
//!
//! A unit of work is one optimizer step of either network, so Pause stays quick even with many
//! critic steps per generator step. Each generator step records three numbers: the critic's
//! loss and score gap from the critic step just before it, and its own loss. After every epoch
//! the critic scores the held-out codes against a fixed set of generated ones.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};

use super::adam::Adam;
use burn::prelude::*;
use burn::tensor::TensorData;

use super::codes::LatentCodes;
use super::phase::{Look, Phase, Record, Standing};
use crate::kind::Kind;
use crate::sample::{Codes, Sampler};
use super::{Progress, snapshot};
use crate::device::read;
use crate::data::{Batches, Digits, Pixels};
use crate::error::{Error, Result};
use crate::models::autoencoder::Autoencoder;
use crate::limits;
use crate::memory;
use crate::models::Init;
use crate::models::wgan::{Critic, GanLoss, Generator};
use crate::preset::Preset;
use crate::rng::Rng;
use crate::weights::{NamedTensor, load_module, read_module};

/// Everything that decides an adversarial run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WganTrainingConfig {
    /// WGAN-GP or the non-saturating GAN.
    pub loss: GanLoss,
    /// Width of the generator's two hidden layers (reference: 300).
    pub generator_hidden: usize,
    /// Width of the critic's two hidden layers (reference: 20).
    pub critic_hidden: usize,
    /// Critic steps per generator step, n_critic.
    pub critic_steps: usize,
    /// Weight λ of the gradient penalty (paper: 10); used by the Wasserstein loss only.
    pub lambda: f64,
    /// Adam's step size for the generator.
    pub generator_learning_rate: f64,
    /// Adam's step size for the critic.
    pub critic_learning_rate: f64,
    /// Passes of the critic over the training codes.
    pub epochs: usize,
    /// Codes per step, real and generated alike. At least 2: the generator uses BatchNorm.
    pub batch_size: usize,
    /// Seeds the weights, the batch order and the noise.
    pub seed: u64,
}

impl Default for WganTrainingConfig {
    fn default() -> Self {
        WganTrainingConfig::preset(Preset::DEFAULT)
    }
}

impl WganTrainingConfig {
    /// The settings of `preset`: the paper's (eqs. 7–8: WGAN-GP, λ = 10; the reference code's
    /// 20-unit critic and 5 critic steps per generator step), or tuned: a critic 128 wide taking
    /// 10 steps per generator step, which brings the generated codes 5–8× closer to the real
    /// ones (docs/experiments.md).
    pub fn preset(preset: Preset) -> Self {
        let paper = WganTrainingConfig {
            loss: GanLoss::Wasserstein,
            generator_hidden: 300,
            critic_hidden: 20,
            critic_steps: 5,
            lambda: 10.0,
            generator_learning_rate: 1e-3,
            critic_learning_rate: 1e-3,
            epochs: 20,
            batch_size: 100,
            seed: 1,
        };
        match preset {
            Preset::Paper => paper,
            Preset::Tuned => WganTrainingConfig { critic_hidden: 128, critic_steps: 10, ..paper },
        }
    }
}

impl WganTrainingConfig {
    /// Refuses settings that cannot train.
    pub fn validate(&self, latent: usize, codes: usize) -> Result<()> {
        limits::check("generator width", self.generator_hidden, &limits::WIDTH)?;
        limits::check("critic width", self.critic_hidden, &limits::WIDTH)?;
        limits::check("critic steps per generator step", self.critic_steps, &limits::CRITIC_STEPS)?;
        limits::check("gradient penalty weight λ", self.lambda, &limits::PENALTY)?;
        limits::check("generator learning rate", self.generator_learning_rate, &limits::LEARNING_RATE)?;
        limits::check("critic learning rate", self.critic_learning_rate, &limits::LEARNING_RATE)?;
        limits::check("adversarial epochs", self.epochs, &limits::EPOCHS)?;
        limits::check("seed", self.seed, &limits::SEED)?;
        let batch = &limits::BATCH;
        limits::within("adversarial batch size", self.batch_size, *batch.start(), codes.clamp(*batch.start(), *batch.end()))?;
        memory::check(Kind::Wgan.description(), self.memory(latent))
    }

    /// The memory a run on `latent`-d codes needs (see [`memory`]): the generator k → g → g → k
    /// with BatchNorm, the critic k → c → c → 1 on real codes, fakes and their interpolates,
    /// and the gradient penalty's hand-made backward pass through it; each kept about twice.
    pub fn memory(&self, latent: usize) -> u64 {
        let (k, g, c) = (latent as u64, self.generator_hidden as u64, self.critic_hidden as u64);
        let params = memory::dense(&[k, g, g, k]) + 4 * 2 * g + memory::dense(&[k, c, c, 1]);
        let widths = 4 * g + 4 * k + 4 * (2 * c + 1);
        memory::training(params, self.batch_size as u64, widths, 2)
    }
}

/// Where a run stands; copied before each chunk so a NaN can roll it back.
#[derive(Clone, Debug)]
pub struct Position {
    /// The critic's passes over the training codes.
    batches: Batches,
    /// Generator steps taken.
    step: usize,
    /// Critic steps taken since the last generator step.
    critic_steps: usize,
    /// The last critic step's loss and score gap, not yet reported.
    critic_record: Option<(Tensor<1>, Tensor<1>)>,
    /// Noise z0 and interpolation weights.
    noise: Rng,
}

/// Which of the pair a unit of work trains: both, in the paper's alternation (n_critic critic
/// steps, then a generator step), or one alone, as the 2-D lab's step buttons ask (GAN Lab's
/// "train the discriminator only").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Networks {
    #[default]
    Both,
    Critic,
    Generator,
}

/// The adversarial pair being trained on an autoencoder's codes.
pub struct WganTrainer {
    /// Which networks the next units train (see [`Networks`]); not rolled back by a NaN.
    networks: Networks,
    config: WganTrainingConfig,
    device: Device,
    codes: LatentCodes,
    models: Option<(Generator, Critic)>,
    generator_optim: ModuleOptimizer,
    critic_optim: ModuleOptimizer,
    at: Position,
}

impl WganTrainer {
    /// Prepares a generator for the codes that `autoencoder` gives the `train` and `test`
    /// digits (converted by `pixels`). The autoencoder is frozen.
    pub fn new(
        config: WganTrainingConfig,
        autoencoder: &Autoencoder,
        train: &Digits,
        test: &Digits,
        pixels: Pixels,
        device: &Device,
    ) -> Result<Self> {
        Self::with_codes(config, LatentCodes::encode(autoencoder, train, test, pixels)?, device)
    }

    /// Prepares a generator for `codes`, encoded or still to encode.
    pub fn with_codes(config: WganTrainingConfig, codes: LatentCodes, device: &Device) -> Result<Self> {
        config.validate(codes.latent(), codes.train_count())?;
        let device = device.clone().autodiff();
        let batches = Batches::new(codes.train_count(), config.batch_size, Rng::new(config.seed ^ 0xAD7A));
        let adam = Adam::new(0.5, 0.9, 1e-8);
        let mut trainer = WganTrainer {
            generator_optim: adam.clone().optimizer(),
            critic_optim: adam.optimizer(),
            at: Position {
                batches,
                step: 0,
                critic_steps: 0,
                critic_record: None,
                noise: Rng::new(config.seed ^ 0x2015E),
            },
            networks: Networks::Both,
            config,
            device,
            codes,
            models: None,
        };
        if trainer.codes.is_ready() {
            trainer.start_models()?;
        }
        Ok(trainer)
    }

    /// A finished run holding a saved generator and critic (named `prefix.generator.…` and
    /// `prefix.critic.…` in `tensors`) for `codes`, which need not be encoded.
    pub fn restore(config: WganTrainingConfig, codes: LatentCodes, tensors: &[NamedTensor], prefix: &str, device: &Device) -> Result<Self> {
        let mut trainer = Self::with_codes(config, codes, device)?;
        trainer.build_models(&mut Init::Loaded)?;
        let (generator, critic) = trainer.models.take().ok_or_else(|| Error::State("no models to load into".into()))?;
        let generator = load_module(generator, &format!("{prefix}.generator"), tensors)?;
        let critic = load_module(critic, &format!("{prefix}.critic"), tensors)?;
        trainer.models = Some((generator, critic));
        trainer.at.batches.epoch = trainer.config.epochs;
        Ok(trainer)
    }

    /// The generator's and the critic's weights, named `prefix.generator.…` and
    /// `prefix.critic.…`; none before the codes are encoded.
    pub async fn weights(&self, prefix: &str) -> Result<Option<Vec<NamedTensor>>> {
        let Some((generator, critic)) = &self.models else {
            return Ok(None);
        };
        let mut tensors = read_module(&generator.valid(), &format!("{prefix}.generator")).await?;
        tensors.extend(read_module(&critic.valid(), &format!("{prefix}.critic")).await?);
        Ok(Some(tensors))
    }

    /// The settings this run was made with.
    pub fn config(&self) -> &WganTrainingConfig {
        &self.config
    }

    /// The codes the generator learns.
    pub fn codes(&self) -> &LatentCodes {
        &self.codes
    }

    /// Generator steps in one epoch.
    pub fn steps_per_epoch(&self) -> usize {
        self.at.batches.per_epoch().div_ceil(self.config.critic_steps)
    }

    /// Whether every epoch is done.
    pub fn is_done(&self) -> bool {
        self.standing().done()
    }

    /// Which networks the next units train (see [`Networks`]).
    pub fn train_only(&mut self, networks: Networks) {
        self.networks = networks;
    }

    /// The generator and the critic, once the codes are encoded.
    pub fn models(&self) -> Option<&(Generator, Critic)> {
        self.models.as_ref()
    }

    /// AdvAE as a sampler: the generator's codes decoded by the autoencoder it learned.
    pub fn sampler(&self) -> Result<Sampler> {
        let (generator, _) = self.models.as_ref().ok_or_else(|| Error::State("the generator has not started training yet".into()))?;
        let decoder = self.codes.autoencoder().ok().map(|ae| &ae.decoder);
        Ok(Sampler::new(Kind::Wgan, decoder, Codes::Generator(generator.clone()), self.codes.latent(), &self.device))
    }

    fn plain(&self) -> Device {
        self.device.clone().inner()
    }
}

impl Phase for WganTrainer {
    type Saved = (Option<(Generator, Critic)>, ModuleOptimizer, ModuleOptimizer, Position);
    const LOSS: &'static str = "adversarial loss";

    fn save(&self) -> Self::Saved {
        let models = self.models.as_ref().map(|(generator, critic)| (snapshot(generator), critic.clone()));
        (models, self.generator_optim.clone(), self.critic_optim.clone(), self.at.clone())
    }

    fn restore(&mut self, saved: Self::Saved) {
        (self.models, self.generator_optim, self.critic_optim, self.at) = saved;
    }

    async fn prepare(&mut self, units: usize) -> Result<Option<(usize, usize)>> {
        if self.codes.is_ready() {
            return Ok(None);
        }
        let encoded = self.codes.encode_some(units, &self.plain()).await?;
        if self.codes.is_ready() && self.models.is_none() {
            self.start_models()?;
        }
        Ok(Some(encoded))
    }

    /// A critic step, or (after `critic_steps` of them, or at the epoch's end) a generator step,
    /// which is the step reported.
    fn unit(&mut self, record: &mut Record) -> Result<bool> {
        let (generator, critic) = self.models.take().ok_or_else(|| Error::State("the generator was not initialized".into()))?;
        let epoch_over = self.at.batches.epoch_over();
        // One network alone (the 2-D lab's buttons). The critic's steps still end epochs (they
        // walk the batches), with the held-out score, but no generator step; the generator's
        // walk no batches.
        match self.networks {
            Networks::Critic => {
                if epoch_over {
                    record.held_out(self.held_out_score(&generator, &critic));
                    self.at.batches.next_epoch(self.config.epochs);
                    self.models = Some((generator, critic));
                    return Ok(true);
                }
                let critic = self.critic_step(&generator, critic);
                self.models = Some((generator, critic));
                return Ok(false);
            }
            Networks::Generator => {
                let (generator, generator_loss) = self.generator_step(generator, &critic);
                if let Some((critic_loss, gap)) = self.at.critic_record.take() {
                    record.adversarial_step(critic_loss, generator_loss, gap);
                }
                self.at.step += 1;
                self.models = Some((generator, critic));
                return Ok(false);
            }
            Networks::Both => {}
        }
        if self.at.critic_steps < self.config.critic_steps && !epoch_over {
            let critic = self.critic_step(&generator, critic);
            self.models = Some((generator, critic));
            return Ok(false);
        }
        let (generator, generator_loss) = self.generator_step(generator, &critic);
        if let Some((critic_loss, gap)) = self.at.critic_record.take() {
            record.adversarial_step(critic_loss, generator_loss, gap);
        }
        self.at.step += 1;
        self.at.critic_steps = 0;
        if epoch_over {
            record.held_out(self.held_out_score(&generator, &critic));
            self.at.batches.next_epoch(self.config.epochs);
        }
        self.models = Some((generator, critic));
        Ok(epoch_over)
    }

    fn standing(&self) -> Standing {
        Standing::new(&self.at.batches, self.config.epochs, self.at.step, self.steps_per_epoch())
    }

    /// AdvAE samples (at temperature 1), once the generator has started on an autoencoder's
    /// codes.
    fn look(&self, look: &Look) -> Result<Vec<Tensor<2>>> {
        if self.models.is_none() || self.codes.autoencoder().is_err() {
            return Ok(Vec::new());
        }
        Ok(vec![self.sampler()?.pictures(look.count, 1.0, look.seed)?])
    }
}

impl WganTrainer {
    /// Builds the generator, then the critic, their weights drawn from the run's seed.
    fn start_models(&mut self) -> Result<()> {
        self.build_models(&mut Init::seeded(self.config.seed ^ 0x6E4))
    }

    fn build_models(&mut self, init: &mut Init) -> Result<()> {
        let k = self.codes.latent();
        let generator = Generator::new(k, self.config.generator_hidden, init, &self.device);
        let critic = Critic::new(k, &[self.config.critic_hidden, self.config.critic_hidden], init, &self.device)?;
        self.models = Some((generator, critic));
        Ok(())
    }

    /// `count` rows of N(0, T²I) noise from `rng`, on `device`.
    fn noise(&self, rng: &mut Rng, count: usize, temperature: f32, device: &Device) -> Tensor<2> {
        let k = self.codes.latent();
        let z0 = rng.normals(count * k).into_iter().map(|v| v * temperature).collect();
        Tensor::from_data(TensorData::new(z0, [count, k]), device)
    }

    /// Runs at most `units` units of work: encoding a thousand digits, or one optimizer step
    /// of the critic or the generator. An epoch's end (with its held-out score) ends the chunk.
    /// A NaN or infinite loss rolls back to where the chunk began.
    pub async fn run(&mut self, units: usize) -> Result<Progress> {
        super::run::chunk(self, units).await
    }

    /// One critic step on the next batch of real codes against fresh generated ones.
    fn critic_step(&mut self, generator: &Generator, critic: Critic) -> Critic {
        let indices = self.at.batches.current().to_vec();
        let batch = indices.len();
        let real = self.codes.train_batch(&indices, &self.device);
        let mut noise = self.at.noise.clone();
        let fake = generator.forward(self.noise(&mut noise, batch, 1.0, &self.device)).detach();
        let mix: Vec<f32> = (0..batch).map(|_| noise.uniform() as f32).collect();
        self.at.noise = noise;
        let d_real = critic.forward(real.clone());
        let d_fake = critic.forward(fake.clone());
        let gap = (d_real.clone().mean() - d_fake.clone().mean()).detach().inner();
        let mut loss = self.config.loss.critic_loss(d_real, d_fake);
        if self.config.loss.penalized() && self.config.lambda > 0.0 {
            let mix = Tensor::from_data(TensorData::new(mix, [batch, 1]), &self.device);
            loss = loss + critic.gradient_penalty(real, fake, mix, self.config.lambda);
        }
        let grads = GradientsParams::from_grads(loss.backward(), &critic);
        self.at.critic_record = Some((loss.detach().inner(), gap));
        self.at.batches.advance();
        self.at.critic_steps += 1;
        self.critic_optim.step(self.config.critic_learning_rate, critic, grads)
    }

    /// One generator step against the current critic; returns its loss.
    fn generator_step(&mut self, generator: Generator, critic: &Critic) -> (Generator, Tensor<1>) {
        let mut noise = self.at.noise.clone();
        let z0 = self.noise(&mut noise, self.config.batch_size, 1.0, &self.device);
        self.at.noise = noise;
        let loss = self.config.loss.generator_loss(critic.forward(generator.forward(z0)));
        let grads = GradientsParams::from_grads(loss.backward(), &generator);
        let generator = self.generator_optim.step(self.config.generator_learning_rate, generator, grads);
        (generator, loss.detach().inner())
    }

    /// The critic's held-out score: the score gap E[D(test)] − E[D(G(z0))] for the
    /// Wasserstein loss, the discriminator's cross-entropy for the non-saturating one, against
    /// as many generated codes (from a fixed z0, generator in inference mode) as there are test
    /// codes.
    fn held_out_score(&self, generator: &Generator, critic: &Critic) -> Tensor<1> {
        let plain = self.plain();
        let (generator, critic) = (generator.valid(), critic.valid());
        let mut rng = Rng::new(self.config.seed ^ 0x7E57);
        let fake = generator.forward(self.noise(&mut rng, self.codes.test_count(), 1.0, &plain));
        let d_real = critic.forward(self.codes.test_batch(&plain));
        let d_fake = critic.forward(fake);
        match self.config.loss {
            GanLoss::Wasserstein => d_real.mean() - d_fake.mean(),
            GanLoss::NonSaturating => self.config.loss.critic_loss(d_real, d_fake),
        }
    }

    /// The critic's scores of `codes` (`k` floats each), for inspection and tests.
    pub async fn critic_scores(&self, codes: &[f32]) -> Result<Vec<f32>> {
        let (_, critic) = self.models.as_ref().ok_or_else(|| Error::State("the critic has not started training yet".into()))?;
        let k = self.codes.latent();
        if codes.is_empty() || codes.len() % k != 0 {
            return Err(Error::Data(format!("codes must come in whole vectors of {k} values")));
        }
        let z = Tensor::from_data(TensorData::new(codes.to_vec(), [codes.len() / k, k]), &self.plain());
        read(critic.valid().forward(z)).await
    }
}
