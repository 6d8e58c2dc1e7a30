//! AdvAE and FlowAE (Sridhar & Srivastava): sample any latent distribution of an autoencoder.
//!
//! An autoencoder is trained on MNIST and frozen; a generative model is then fitted to the
//! latent codes it induces, and decoding that model's samples gives new digits. This crate holds
//! the models and their training, and knows nothing of browsers or terminals: `web.rs` (the Web
//! Worker's API) and `main.rs` (the native tool) are the two thin edges that drive it.
//!
//! - [`kind`]: the paper's models, each with one name.
//! - [`data`]: MNIST IDX files, binarization, batches; [`dataset`]: the data sets (MNIST,
//!   Fashion-MNIST), each named once.
//! - [`models`]: the networks, named as in the paper.
//! - [`train`]: resumable trainers that run in bounded chunks with asynchronous reads only.
//! - [`backend`]: WebGPU/wgpu or the CPU, chosen at run time; [`device`]: reading results back.
//! - [`fcd`]: the Fréchet distance between feature (or code) distributions.
//! - [`sample`]: drawing digits from any trained model, in one place.
//! - [`weights`]: trained weights as one checked file; [`session`]: every model of a session in one.
//! - [`explore`]: paths between two samples, for the morph strip.
//! - [`digitize`]: a drawing made an MNIST input; [`inspect`]: one digit read by the models
//!   (the flow's log-density and its percentile among real digits, the critic, the neighbours).
//! - [`walk`]: the flow layer by layer, forwards from the Gaussian or backwards from a drawing.
//! - [`toy`]: 2-D data sets; [`plane`]: the 2-D lab, the flow and the WGAN-GP on them.
//! - [`lab`]: everything one page trains and draws, as its worker calls it (`web.rs` converts).
//! - [`map`]: the latent space on a plane: PCA and t-SNE.
//! - [`memory`]: what a run's settings need, refused before they fail in an allocator.
//! - [`preset`]: the paper's defaults and the tuned ones that reproduce its Table 1; [`length`]:
//!   how long a run trains (the page's quick run, Table 1's full one).
//! - [`settings`]: every hyper-parameter once (name, flag, label, bounds, default); [`limits`]: the bounds.
//! - [`table`]: Table 1 over several seeds: mean ± sd and how often the paper's order holds.
//! - [`grid`]: digits laid out as one image, for PNG files and canvases; [`npy`]: samples as arrays.

/// Declares an enum and its `ALL`, every variant in the order written, from one list, so that
/// a new variant cannot be left out of `ALL` (every match over the enum is exhaustive; this is
/// the one list of them a match cannot check). `ALL`'s doc comment comes first.
macro_rules! enum_with_all {
    (#[doc = $all:literal] $(#[$meta:meta])* pub enum $name:ident { $($(#[$doc:meta])* $variant:ident,)* }) => {
        $(#[$meta])*
        pub enum $name { $($(#[$doc])* $variant,)* }

        impl $name {
            #[doc = $all]
            pub const ALL: [$name; [$($name::$variant),*].len()] = [$($name::$variant),*];
        }
    };
}

pub mod backend;
pub mod data;
pub mod dataset;
pub mod device;
pub mod digitize;
pub mod error;
pub mod expf;
pub mod explore;
pub mod fcd;
pub mod grid;
pub mod inspect;
pub mod kind;
pub mod lab;
pub mod length;
pub mod limits;
pub mod map;
pub mod memory;
pub mod models;
pub mod npy;
pub mod plane;
pub mod plane_codes;
pub mod preset;
pub mod rng;
pub mod sample;
pub mod session;
pub mod settings;
pub mod table;
pub mod toy;
pub mod train;
pub mod walk;
pub mod weights;
mod wide;

#[cfg(target_arch = "wasm32")]
mod web;

pub use error::{Error, Result};
pub use dataset::DataSet;
pub use kind::Kind;
