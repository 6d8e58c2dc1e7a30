//! The frozen autoencoder's latent codes: what FlowAE's flow and AdvAE's generator both learn.
//!
//! The digits are encoded once, by the encoder in inference mode (BatchNorm's running
//! statistics) on a device without autodiff, so no gradient can reach it. The codes live on the
//! host (60,000 × 10 floats, 2.4 MB) and batches of them are uploaded per step. Encoding is
//! chunked, a thousand digits per unit of work, so Pause works from the first second.

use burn::module::Module;
use burn::prelude::*;
use burn::tensor::TensorData;

use crate::device::read_all;
use crate::data::{Digits, PIXELS, Pixels};
use crate::error::{Error, Result};
use crate::models::autoencoder::Autoencoder;

/// Digits encoded per unit of work.
const ENCODE_BATCH: usize = 1000;

/// Codes of the training digits and of the held-out (test) digits, and the autoencoder that
/// made them, kept for decoding samples.
#[derive(Clone)]
pub struct LatentCodes {
    latent: usize,
    train_count: usize,
    test_count: usize,
    /// Training codes, then test codes, `latent` floats each, as far as encoded.
    codes: Vec<f32>,
    /// The frozen autoencoder (in inference mode), when the codes came from one.
    autoencoder: Option<Autoencoder>,
    /// Digits still to encode: (train, test, how pixels were converted).
    source: Option<(Digits, Digits, Pixels)>,
}

impl LatentCodes {
    /// Codes that `autoencoder` gives the `train` and `test` digits (converted by `pixels`, as
    /// the autoencoder was trained), to be encoded by [`Self::encode_some`].
    pub fn encode(autoencoder: &Autoencoder, train: &Digits, test: &Digits, pixels: Pixels) -> Result<Self> {
        if train.len() < 2 || test.is_empty() {
            return Err(Error::Data("at least 2 training and 1 held-out digit are needed".into()));
        }
        Ok(LatentCodes {
            latent: autoencoder.encoder.latent(),
            train_count: train.len(),
            test_count: test.len(),
            codes: Vec::new(),
            autoencoder: Some(autoencoder.valid()),
            source: Some((train.clone(), test.clone(), pixels)),
        })
    }

    /// Given codes (`latent` floats each) with no autoencoder: for toy densities and tests.
    pub fn given(latent: usize, train: Vec<f32>, test: Vec<f32>) -> Result<Self> {
        if latent < 2 || train.len() % latent != 0 || test.len() % latent != 0 {
            return Err(Error::Data(format!("codes must come in whole vectors of {latent} ≥ 2 values")));
        }
        let (train_count, test_count) = (train.len() / latent, test.len() / latent);
        if train_count < 2 || test_count == 0 {
            return Err(Error::Data("at least 2 training and 1 held-out code are needed".into()));
        }
        let codes = [train, test].concat();
        if codes.iter().any(|c| !c.is_finite()) {
            return Err(Error::Data("the codes hold NaN or infinite values".into()));
        }
        Ok(LatentCodes { latent, train_count, test_count, codes, autoencoder: None, source: None })
    }

    /// Width of one code.
    pub fn latent(&self) -> usize {
        self.latent
    }

    /// Number of training codes.
    pub fn train_count(&self) -> usize {
        self.train_count
    }

    /// Number of held-out codes.
    pub fn test_count(&self) -> usize {
        self.test_count
    }

    /// The autoencoder that made the codes, for decoding samples.
    pub fn autoencoder(&self) -> Result<&Autoencoder> {
        self.autoencoder.as_ref().ok_or_else(|| Error::State("these codes have no decoder".into()))
    }

    /// (encoded, total) digits.
    pub fn encoded(&self) -> (usize, usize) {
        (self.codes.len() / self.latent, self.train_count + self.test_count)
    }

    /// Whether every digit is encoded.
    pub fn is_ready(&self) -> bool {
        let (done, total) = self.encoded();
        done == total
    }

    /// Encodes at most `units` thousand-digit slices on `device` and reads them back at once.
    pub async fn encode_some(&mut self, units: usize, device: &Device) -> Result<(usize, usize)> {
        let (mut at, total) = self.encoded();
        let mut pending = Vec::new();
        for _ in 0..units.max(1) {
            if at == total {
                break;
            }
            let end = (at + ENCODE_BATCH).min(if at < self.train_count { self.train_count } else { total });
            pending.push(self.encode_range(at, end, device)?);
            at = end;
        }
        for codes in read_all(pending).await? {
            if codes.iter().any(|c| !c.is_finite()) {
                return Err(Error::NonFinite("the encoder gives non-finite codes; retrain the autoencoder".into()));
            }
            self.codes.extend(codes);
        }
        Ok(self.encoded())
    }

    /// Codes of digits `from..to` of train-then-test, flat.
    fn encode_range(&self, from: usize, to: usize, device: &Device) -> Result<Tensor<1>> {
        let (Some((train, test, pixels)), Some(ae)) = (&self.source, &self.autoencoder) else {
            return Err(Error::State("there are no digits to encode".into()));
        };
        let (digits, offset) = if from < self.train_count { (train, 0) } else { (test, self.train_count) };
        let indices: Vec<usize> = (from - offset..to - offset).collect();
        let x = Tensor::<2>::from_data(TensorData::new(digits.batch(&indices, *pixels), [indices.len(), PIXELS]), device);
        Ok(ae.encoder.forward(x).flatten::<1>(0, 1))
    }

    /// The training codes, `train_count × latent` (empty until encoded).
    pub fn train(&self) -> &[f32] {
        &self.codes[..(self.train_count * self.latent).min(self.codes.len())]
    }

    /// The held-out codes, `test_count × latent` (empty until encoded).
    pub fn test(&self) -> &[f32] {
        self.codes.get(self.train_count * self.latent..).unwrap_or(&[])
    }

    /// The training codes `indices` as a `[len, latent]` tensor on `device`.
    pub fn train_batch(&self, indices: &[usize], device: &Device) -> Tensor<2> {
        let k = self.latent;
        let mut batch = Vec::with_capacity(indices.len() * k);
        for &i in indices {
            batch.extend_from_slice(&self.codes[i * k..(i + 1) * k]);
        }
        Tensor::from_data(TensorData::new(batch, [indices.len(), k]), device)
    }

    /// All held-out codes as a `[test_count, latent]` tensor on `device` (codes are tiny).
    pub fn test_batch(&self, device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(self.test().to_vec(), [self.test_count, self.latent]), device)
    }

    /// Per-dimension mean and standard deviation of the training codes.
    pub fn train_mean_std(&self) -> (Vec<f32>, Vec<f32>) {
        let (k, n, train) = (self.latent, self.train_count, self.train());
        let column = |j: usize| train.iter().skip(j).step_by(k).map(|&v| f64::from(v));
        let mean: Vec<f64> = (0..k).map(|j| column(j).sum::<f64>() / n as f64).collect();
        let std = (0..k).map(|j| ((column(j).map(|v| (v - mean[j]).powi(2)).sum::<f64>() / n as f64).sqrt() as f32).max(1e-6)).collect();
        (mean.into_iter().map(|m| m as f32).collect(), std)
    }
}
