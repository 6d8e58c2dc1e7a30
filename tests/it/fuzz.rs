//! Mutation fuzzers for the readers of files that come from outside: a models file (a visitor's
//! download, the browser's kept copy, the shipped pretrained models) and MNIST's IDX and packed
//! files (a host may serve anything under data/). Each case mutates a good file and hands it
//! to the reader and on to what the page and the CLI do next with an accepted file; the only
//! outcomes allowed are a clear refusal or a model that samples numbers. A panic fails.
//!
//! Half the models-file cases fix the CRC after mutating, so the checks behind the checksum
//! (the header, the tensors' shapes and names, the settings, the values) are reached; a
//! quarter mutate the file's structure (settings, shapes, names, values) and write it again.
//!
//! CI runs FLOWAE_FUZZ_CASES (default 2,000) cases per reader from FLOWAE_FUZZ_SEED (default
//! 1); `./build.sh fuzz` runs 1,000,000 per reader and prints the counts.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use burn::prelude::Device;
use flowae::data::Digits;
use flowae::rng::Rng;
use flowae::session::{Preview, Session};
use flowae::weights::WeightsFile;

use crate::common;

fn cases() -> usize {
    std::env::var("FLOWAE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000)
}

fn seed() -> u64 {
    std::env::var("FLOWAE_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1)
}

/// Byte values that often sit on a boundary.
const INTERESTING: [u8; 8] = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, b'"', b'{'];

/// Floats that have broken loaders: not numbers, infinities, extremes, negative variances.
const ABSURD: [f32; 8] = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 3e38, -3e38, -1.0, 0.0, 1e-45];

/// One raw mutation of `bytes`: bits flipped, bytes set, a cut, an insertion, a deletion or a
/// duplicated run.
fn mutate_bytes(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let at = |rng: &mut Rng, len: usize| rng.below(len.max(1));
    match rng.below(6) {
        0 => {
            for _ in 0..1 + rng.below(8) {
                let i = at(rng, out.len());
                if let Some(b) = out.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
        }
        1 => {
            for _ in 0..1 + rng.below(4) {
                let i = at(rng, out.len());
                if let Some(b) = out.get_mut(i) {
                    *b = INTERESTING[rng.below(INTERESTING.len())];
                }
            }
        }
        2 => out.truncate(at(rng, out.len())),
        3 => {
            let i = at(rng, out.len() + 1).min(out.len());
            let extra: Vec<u8> = (0..1 + rng.below(64)).map(|_| rng.next_u64() as u8).collect();
            out.splice(i..i, extra);
        }
        4 => {
            let i = at(rng, out.len());
            let end = (i + 1 + rng.below(256)).min(out.len());
            out.drain(i..end);
        }
        _ => {
            let i = at(rng, out.len());
            let end = (i + 1 + rng.below(256)).min(out.len());
            let run = out[i..end].to_vec();
            out.splice(i..i, run);
        }
    }
    out
}

/// `bytes` with its trailing CRC-32 made right again.
fn fix_crc(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.len() >= 4 {
        let body = bytes.len() - 4;
        let crc = crc32fast::hash(&bytes[..body]);
        bytes[body..].copy_from_slice(&crc.to_le_bytes());
    }
    bytes
}

/// A number somewhere in the header's settings replaced, a setting removed, or a value of
/// another type put in its place.
fn mutate_json(value: &mut serde_json::Value, rng: &mut Rng) {
    let replacement = || -> [serde_json::Value; 9] {
        use serde_json::json;
        [json!(0), json!(-1), json!(1), json!(4_294_967_296u64), json!(1e300), json!(-0.5), json!("x"), json!(null), json!([])]
    };
    match value {
        serde_json::Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(rng.below(map.len())).cloned().unwrap();
            match rng.below(6) {
                0 => {
                    map.remove(&key);
                }
                1 => map[&key] = replacement()[rng.below(9)].clone(),
                _ => mutate_json(map.get_mut(&key).unwrap(), rng),
            }
        }
        leaf => *leaf = replacement()[rng.below(9)].clone(),
    }
}

/// A structural mutation: the settings, a tensor's shape, name or values, a tensor dropped or
/// doubled; written again as a whole, valid file.
fn mutate_structure(file: &WeightsFile, rng: &mut Rng) -> Vec<u8> {
    let mut file = file.clone();
    let pick = |rng: &mut Rng, n: usize| rng.below(n.max(1));
    match rng.below(6) {
        0 => mutate_json(&mut file.meta, rng),
        1 if !file.tensors.is_empty() => {
            let t = pick(rng, file.tensors.len());
            let shape = &mut file.tensors[t].shape;
            let d = pick(rng, shape.len());
            if let Some(dim) = shape.get_mut(d) {
                *dim = [0, 1, *dim + 1, dim.saturating_sub(1)][rng.below(4)];
            }
        }
        2 if !file.tensors.is_empty() => {
            let t = pick(rng, file.tensors.len());
            let values = &mut file.tensors[t].values;
            for _ in 0..1 + rng.below(4) {
                let i = pick(rng, values.len());
                if let Some(v) = values.get_mut(i) {
                    *v = ABSURD[rng.below(ABSURD.len())];
                }
            }
        }
        3 if !file.tensors.is_empty() => {
            let t = pick(rng, file.tensors.len());
            let names = ["autoencoder.x", "flow", "", "wgan.generator.net.hidden.0.linear.weight", "vae.encoder.net.output.linear.bias"];
            file.tensors[t].name = names[rng.below(names.len())].to_string();
        }
        4 if !file.tensors.is_empty() => {
            let t = pick(rng, file.tensors.len());
            file.tensors.remove(t);
        }
        _ if !file.tensors.is_empty() => {
            let t = pick(rng, file.tensors.len());
            let copy = file.tensors[t].clone();
            file.tensors.insert(pick(rng, file.tensors.len()), copy);
        }
        _ => mutate_json(&mut file.meta, rng),
    }
    file.to_bytes()
}

/// Runs `case` on `count` mutations of the bases from `seed`; returns the outcomes counted by
/// name, and fails naming the first case that panicked.
fn fuzz(name: &str, count: usize, mut case: impl FnMut(usize, &mut Rng) -> &'static str) -> BTreeMap<&'static str, usize> {
    let mut outcomes = BTreeMap::new();
    let mut rng = Rng::new(seed());
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut panicked = None;
    for i in 0..count {
        let mut case_rng = Rng::new(rng.next_u64());
        match catch_unwind(AssertUnwindSafe(|| case(i, &mut case_rng))) {
            Ok(outcome) => *outcomes.entry(outcome).or_default() += 1,
            Err(payload) => {
                let message = payload.downcast_ref::<String>().cloned().or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()));
                panicked.get_or_insert((i, message.unwrap_or_default()));
                *outcomes.entry("PANICKED").or_default() += 1;
            }
        }
    }
    std::panic::set_hook(hook);
    println!("fuzz {name}: {count} cases from seed {}: {outcomes:?}", seed());
    if let Some((i, message)) = panicked {
        panic!("{name}: case {i} (seed {}) panicked: {message}", seed());
    }
    outcomes
}

/// What a file does once read: opened as the page's preview and as a full session, each
/// model sampled; every step may refuse, none may hand on samples that are not numbers.
fn open_models(bytes: &[u8], train: &Digits, test: &Digits, device: &Device) -> &'static str {
    let Ok(file) = WeightsFile::from_bytes(bytes) else { return "refused by the reader" };
    let preview_ok = match Preview::from_file(&file, device) {
        Ok(preview) => {
            for kind in preview.models() {
                let sampler = preview.sampler(kind).unwrap();
                if let Ok(pixels) = pollster::block_on(sampler.samples(2, 1.0, 1)) {
                    assert!(pixels.iter().all(|p| p.is_finite()), "the preview's {kind} sampled NaN");
                }
            }
            true
        }
        Err(_) => false,
    };
    // As the page opens a file: model by model, each checked by its samples.
    let Ok(opened) = Session::open(&file, train, test, device) else {
        return if preview_ok { "previewed, refused on loading" } else { "refused on loading" };
    };
    let opened = pollster::block_on(opened.checked());
    let session = &opened.session;
    for kind in session.models() {
        let pixels = pollster::block_on(session.samples(kind, 2, 1.0, 1)).expect("a model that passed its check samples");
        assert!(pixels.iter().all(|p| p.is_finite()), "the loaded {kind} sampled NaN");
        assert_eq!(pixels.len(), 2 * 784);
    }
    match (session.models().is_empty(), opened.broken.is_empty()) {
        (_, true) => "loaded, every model samples",
        (false, false) => "loaded, some models set aside",
        (true, false) => "opened, no model usable",
    }
}

#[test]
fn models_files_mutated_are_refused_or_sample_numbers() {
    let device = Device::flex();
    let (train, test) = (common::random_digits(300, 1), common::random_digits(60, 2));
    let session = crate::session::small_session(&train, &test, &device);
    let file = pollster::block_on(session.to_file(serde_json::Value::Null)).unwrap();
    let exact = file.to_bytes();
    let half = file.to_bytes_half();
    let outcomes = fuzz("models file", cases(), |i, rng| {
        let base = if i % 2 == 0 { &exact } else { &half };
        let bytes = match rng.below(4) {
            0 => mutate_bytes(base, rng),
            1 => mutate_structure(&file, rng),
            _ => fix_crc(mutate_bytes(base, rng)),
        };
        open_models(&bytes, &train, &test, &device)
    });
    assert!(outcomes.get("refused by the reader").copied().unwrap_or(0) > 0, "{outcomes:?}");
    assert!(outcomes.keys().any(|k| k.starts_with("loaded")), "some mutations load (values changed within bounds): {outcomes:?}");
    assert!(!outcomes.contains_key("PANICKED"));
    // The base itself: every model samples.
    assert_eq!(open_models(&exact, &train, &test, &device), "loaded, every model samples");
}

/// Digits read from mutated IDX or packed files: refused, or whole digits with labels 0–9.
#[test]
fn digit_files_mutated_are_refused_or_whole() {
    let digits = common::random_digits(40, 3);
    let (images, labels) = flowae::data::to_idx(&digits);
    let packed = common::packed_by_the_tool(&digits, "fuzz");
    let check = |read: flowae::Result<Digits>| -> &'static str {
        let Ok(d) = read else { return "refused" };
        let all: Vec<usize> = (0..d.len()).collect();
        assert_eq!(d.batch(&all, flowae::data::Pixels::Binarized).len(), d.len() * flowae::data::PIXELS);
        assert!(d.labels().iter().all(|&l| l < 10), "a label outside 0–9 was accepted");
        "read"
    };
    let outcomes = fuzz("digit files", cases(), |i, rng| match i % 3 {
        0 => check(Digits::from_idx(&mutate_bytes(&images, rng), &labels)),
        1 => check(Digits::from_idx(&images, &mutate_bytes(&labels, rng))),
        _ => check(Digits::from_packed(&mutate_bytes(&packed, rng))),
    });
    assert!(outcomes.get("refused").copied().unwrap_or(0) > 0, "{outcomes:?}");
    assert!(outcomes.get("read").copied().unwrap_or(0) > 0, "pixel flips leave readable digits: {outcomes:?}");
}
