//! The MNIST classifier behind the Fréchet Classifier Distance (paper §5): FCD compares the
//! distributions of its penultimate-layer features for generated and for real digits.
//!
//! The paper's classifier was not published, so this one is the project's own: a small
//! LeNet-style network (two 5×5 convolutions with max-pooling, a 64-wide feature layer), trained
//! by `flowae train-classifier` on binarized digits, because FCD is measured on binarized samples
//! and binarized real digits alike. Its weights ship with the page (about 460 kB).

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::TensorData;
use burn::tensor::activation::relu;

use super::init::Init;
use crate::data::SIDE;
use crate::error::Result;
use crate::rng::Rng;
use crate::weights::{WeightsFile, load_module, read_module};

/// Width of the feature layer FCD is computed on.
pub const FEATURES: usize = 64;

/// The share of activations dropout zeroes while training, before the feature layer and
/// before the output.
const DROPOUT: f64 = 0.3;

/// What the classifier is shown of `images` (pixel values in [0, 1], 784 each; whole rows):
/// every pixel rounded at ½, as every image it judges is, generated or real (FCD compares like
/// with like), as a `[count, 784]` tensor on `device`.
pub fn binarized(images: &[f32], device: &Device) -> Tensor<2> {
    let binary: Vec<f32> = images.iter().map(|&p| if p >= 0.5 { 1.0 } else { 0.0 }).collect();
    Tensor::<2>::from_data(TensorData::new(binary, [images.len() / crate::data::PIXELS, crate::data::PIXELS]), device)
}

/// 28×28 digit → 10 class logits, with a 64-d feature layer before the output.
#[derive(Module, Debug)]
pub struct Classifier {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    features: Linear,
    output: Linear,
}

impl Classifier {
    /// A classifier on `device`, its weights from `init`.
    pub fn new(init: &mut Init, device: &Device) -> Classifier {
        let mut conv = |from, to| init.conv2d(Conv2dConfig::new([from, to], [5, 5]).with_padding(PaddingConfig2d::Same), device);
        Classifier {
            conv1: conv(1, 16),
            conv2: conv(16, 32),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            features: init.linear(32 * 7 * 7, FEATURES, device),
            output: init.linear(FEATURES, 10, device),
        }
    }

    /// `[batch, 784]` pixels in [0, 1] → `[batch, 64]` penultimate features (after ReLU).
    pub fn features(&self, pixels: Tensor<2>) -> Tensor<2> {
        self.features_with(pixels, None)
    }

    /// `[batch, 784]` pixels → `[batch, 10]` logits.
    pub fn forward(&self, pixels: Tensor<2>) -> Tensor<2> {
        self.output.forward(self.features(pixels))
    }

    /// The logits while training: with dropout, its masks drawn from `rng` on the host (not
    /// from the device's generator, which every model and thread of the process shares), so
    /// that a seed gives the same run whatever else runs beside it, and a rolled-back chunk
    /// replays its masks.
    pub fn forward_training(&self, pixels: Tensor<2>, rng: &mut Rng) -> Tensor<2> {
        let features = self.features_with(pixels, Some(rng));
        self.output.forward(dropout(features, rng))
    }

    fn features_with(&self, pixels: Tensor<2>, rng: Option<&mut Rng>) -> Tensor<2> {
        let [batch, _] = pixels.dims();
        let x = pixels.reshape([batch, 1, SIDE, SIDE]);
        let x = self.pool.forward(relu(self.conv1.forward(x)));
        let x = self.pool.forward(relu(self.conv2.forward(x)));
        let x = x.reshape([batch, 32 * 7 * 7]);
        let x = match rng {
            Some(rng) => dropout(x, rng),
            None => x,
        };
        relu(self.features.forward(x))
    }
}

/// Inverted dropout: each value zeroed with probability [`DROPOUT`], the rest scaled by
/// 1 / (1 − p), so that inference needs no scaling.
fn dropout(x: Tensor<2>, rng: &mut Rng) -> Tensor<2> {
    let [rows, cols] = x.dims();
    let keep = (1.0 / (1.0 - DROPOUT)) as f32;
    let mask: Vec<f32> = (0..rows * cols).map(|_| if rng.uniform() < DROPOUT { 0.0 } else { keep }).collect();
    let mask = Tensor::<2>::from_data(TensorData::new(mask, [rows, cols]), &x.device());
    x * mask
}

impl Classifier {
    /// The classifier stored in a weights file (kind "classifier"), on `device`.
    pub fn from_file(file: &WeightsFile, device: &Device) -> Result<Classifier> {
        file.expect_kind("classifier")?;
        load_module(Classifier::new(&mut Init::Loaded, device), "classifier", &file.tensors)
    }

    /// This classifier's weights, as a file that [`Self::from_file`] reads back; `meta` records
    /// how it was made.
    pub async fn to_file(&self, meta: serde_json::Value) -> Result<WeightsFile> {
        Ok(WeightsFile { kind: "classifier".into(), meta, tensors: read_module(self, "classifier").await? })
    }
}
