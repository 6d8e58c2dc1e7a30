//! Every integration test in one binary, so that burn and wgpu are linked once rather than
//! once per file (on a 2-core machine each link took the better part of a minute).

#[allow(dead_code)] // each helper is used by some of the modules, not all
mod common;

mod autoencoder;
mod classifier;
mod cli;
mod data;
mod fcd;
mod inspect;
mod flow;
mod fuzz;
mod lab;
mod map;
mod oracle;
mod plane;
mod run;
mod session;
mod walk;
mod weights;
mod wgan;
