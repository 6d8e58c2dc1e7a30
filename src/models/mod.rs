//! The networks of the paper, each in its own file, named as the paper names them.

pub mod autoencoder;
pub mod classifier;
mod fused;
pub mod init;
pub mod mlp;
pub mod realnvp;
pub mod wgan;

pub use autoencoder::{Autoencoder, AutoencoderConfig, Decoder, Encoder};
pub use classifier::Classifier;
pub use init::Init;
pub use mlp::{Mlp, MlpConfig};
pub use realnvp::{RealNvp, RealNvpConfig};
pub use wgan::{Critic, GanLoss, Generator};
