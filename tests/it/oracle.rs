//! The oracle for restructuring (issue 11): for a fixed seed, the CPU backend's loss series of
//! every model (autoencoder, VAE, AAE, flow, WGAN, classifier) and the samples the shipped
//! models file draws, recorded in `tests/it/oracle-CLASS.json` and reproduced bit for bit.
//!
//! Bit for bit on one class of CPU: burn's CPU backend picks its SIMD kernels as the CPU allows
//! (AVX-512 where there is one, through macerator, else AVX2), and wider lanes sum in another
//! order, so the same code gives other last bits on another class (the AAE's first critic gap
//! is 0.0063864 with AVX2, 0.0063477 with AVX-512). Each class has its own record, made from
//! the same commit; a machine of a class with none fails and says how to record one.
//!
//! A change that only moves code must leave every number here as it was. A change meant to move
//! them (a kernel that rounds differently) rewrites the record, says so in its commit, and
//! shows the other tests still pass:
//!
//! ```text
//! FLOWAE_RECORD_ORACLE=1 cargo test --release --test it oracle
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use burn::prelude::*;
use flowae::data::Digits;
use flowae::session::Preview;
use flowae::preset::Preset;
use flowae::train::{AeTrainer, AeTrainingConfig, ClassifierTrainer, ClassifierTrainingConfig, FlowTrainer, FlowTrainingConfig, Progress, WganTrainer, WganTrainingConfig};
use flowae::Kind;
use flowae::weights::WeightsFile;

use crate::common;

/// One model's record: named series of numbers, compared bit for bit.
type Record = BTreeMap<String, Vec<f32>>;

/// The class of CPU whose kernels the CPU backend runs here (see the top of this file).
fn cpu_class() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") {
            return "avx512";
        }
        if std::is_x86_feature_detected!("avx2") {
            return "avx2";
        }
    }
    std::env::consts::ARCH
}

fn record_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/it/oracle-{}.json", cpu_class()))
}

/// Every chunk's training losses, generator losses, score gaps and test losses, in order.
#[derive(Default)]
struct Series {
    losses: Vec<f32>,
    generator: Vec<f32>,
    gaps: Vec<f32>,
    test: Vec<f32>,
}

impl Series {
    fn add(&mut self, progress: Progress) {
        self.losses.extend(progress.losses);
        self.generator.extend(progress.generator_losses);
        self.gaps.extend(progress.wasserstein);
        self.test.extend(progress.test_loss.map(|(_, l)| l));
    }

    fn record(self) -> Record {
        [("losses", self.losses), ("generator", self.generator), ("gaps", self.gaps), ("test", self.test)]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    }
}

/// Runs a trainer to the end in chunks of 7 units (so chunk boundaries fall mid-epoch).
macro_rules! run_to_end {
    ($trainer:expr) => {{
        let mut series = Series::default();
        while !$trainer.is_done() {
            series.add(pollster::block_on($trainer.run(7)).expect("the oracle's runs train"));
        }
        series
    }};
}

fn subset() -> (Digits, Digits) {
    let (train, test) = common::mnist();
    (train.take(600), test.take(200))
}

fn autoencoder_config() -> AeTrainingConfig {
    AeTrainingConfig { epochs: 2, batch_size: 50, train_images: 600, test_images: 200, seed: 3, ..AeTrainingConfig::default() }
}

fn autoencoders(train: &Digits, test: &Digits, records: &mut BTreeMap<String, Record>) -> AeTrainer {
    let device = Device::flex();
    for kind in [Kind::Vae, Kind::Aae] {
        // The paper's preset, as recorded: a preset's change of defaults is not a change of code.
        let paper = AeTrainingConfig::baseline_defaults(kind, Preset::Paper).unwrap();
        let config = AeTrainingConfig { adversarial: paper.adversarial, latent_noise: paper.latent_noise, ..autoencoder_config().baseline(kind).unwrap() };
        let mut trainer = AeTrainer::new(config, train, test, &device).unwrap();
        records.insert(kind.name().into(), run_to_end!(trainer).record());
    }
    let mut trainer = AeTrainer::new(autoencoder_config(), train, test, &device).unwrap();
    records.insert("autoencoder".into(), run_to_end!(trainer).record());
    trainer
}

/// Everything the oracle records, computed afresh.
fn compute() -> BTreeMap<String, Record> {
    let (train, test) = subset();
    let device = Device::flex();
    let mut records = BTreeMap::new();
    let autoencoder = autoencoders(&train, &test, &mut records);
    let pixels = autoencoder.config().pixels;

    let flow = FlowTrainingConfig { epochs: 2, batch_size: 50, learning_rate: 1e-3, seed: 4, ..FlowTrainingConfig::preset(Preset::Paper) };
    let mut trainer = FlowTrainer::new(flow, autoencoder.model(), &train, &test, pixels, &device).unwrap();
    let mut record = run_to_end!(trainer).record();
    record.insert("samples".into(), pollster::block_on(trainer.sampler().unwrap().samples(2, 0.8, 9)).unwrap());
    records.insert("flow".into(), record);

    let wgan = WganTrainingConfig { epochs: 2, batch_size: 50, seed: 5, ..WganTrainingConfig::preset(Preset::Paper) };
    let mut trainer = WganTrainer::new(wgan, autoencoder.model(), &train, &test, pixels, &device).unwrap();
    let mut record = run_to_end!(trainer).record();
    record.insert("samples".into(), pollster::block_on(trainer.sampler().unwrap().samples(2, 1.0, 9)).unwrap());
    records.insert("wgan".into(), record);

    let classifier = ClassifierTrainingConfig { epochs: 1, batch_size: 50, seed: 6, ..ClassifierTrainingConfig::default() };
    let mut trainer = ClassifierTrainer::new(classifier, &train, &device).unwrap();
    records.insert("classifier".into(), run_to_end!(trainer).record());

    let bytes = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/models/pretrained.bin")).expect("the shipped models file");
    let preview = Preview::from_file(&WeightsFile::from_bytes(&bytes).unwrap(), &device).unwrap();
    let mut shipped = Record::new();
    for model in [Kind::Flow, Kind::Wgan] {
        let samples = pollster::block_on(preview.sampler(model).expect("the shipped file has both samplers").samples(2, 1.0, 2)).unwrap();
        shipped.insert(model.name().into(), samples);
    }
    records.insert("pretrained samples".into(), shipped);
    records
}

/// JSON with each series on one line, so that a change shows in a diff as the series it moved.
fn to_json(records: &BTreeMap<String, Record>) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap();
    let models: Vec<String> = records
        .iter()
        .map(|(model, record)| {
            let series: Vec<String> = record.iter().map(|(name, values)| format!("    {}: {}", quote(name), serde_json::to_string(values).unwrap())).collect();
            format!("  {}: {{\n{}\n  }}", quote(model), series.join(",\n"))
        })
        .collect();
    format!("{{\n{}\n}}\n", models.join(",\n"))
}

#[test]
fn oracle_losses_and_samples_are_reproduced_exactly() {
    let computed = compute();
    let path = record_path();
    if std::env::var_os("FLOWAE_RECORD_ORACLE").is_some() {
        std::fs::write(&path, to_json(&computed)).unwrap();
        eprintln!("recorded {}", path.display());
        return;
    }
    let Ok(text) = std::fs::read_to_string(&path) else {
        panic!("no oracle is recorded for this class of CPU ({}): record {} from the last commit that passed elsewhere, \
                with FLOWAE_RECORD_ORACLE=1 (see the top of tests/it/oracle.rs)", cpu_class(), path.display());
    };
    let recorded: BTreeMap<String, Record> = serde_json::from_str(&text).unwrap();
    assert_eq!(computed.keys().collect::<Vec<_>>(), recorded.keys().collect::<Vec<_>>(), "the models recorded");
    for (model, record) in &recorded {
        for (series, want) in record {
            let got = &computed[model][series];
            assert_eq!(got.len(), want.len(), "{model} {series}: how many values");
            if let Some(i) = got.iter().zip(want).position(|(g, w)| g.to_bits() != w.to_bits()) {
                panic!("{model} {series}[{i}]: {} now, {} recorded (see the top of tests/it/oracle.rs)", got[i], want[i]);
            }
        }
    }
}
