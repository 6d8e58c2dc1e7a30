//! Every model of a session as one file: saved and restored models sample exactly as before;
//! files that are not ours, damaged or inconsistent are refused; the shipped pretrained file
//! loads and samples.

use crate::common;

use burn::prelude::Device;
use flowae::data::Digits;
use flowae::session::{KIND, Preview, Run, Session};
use flowae::train::{AeTrainer, AeTrainingConfig, FlowTrainer, FlowTrainingConfig, WganTrainer, WganTrainingConfig};
use flowae::weights::WeightsFile;
use flowae::{Error, Kind};

/// A small session on random digits: an autoencoder, its flow and WGAN, and a VAE.
pub(crate) fn small_session(train: &Digits, test: &Digits, device: &Device) -> Session {
    let config = AeTrainingConfig { train_images: 200, test_images: 50, epochs: 1, batch_size: 50, model: flowae::models::AutoencoderConfig { hidden: 32, ..Default::default() }, ..AeTrainingConfig::default() };
    let mut ae = AeTrainer::new(config.clone(), train, test, device).unwrap();
    while !ae.is_done() {
        pollster::block_on(ae.run(10)).unwrap();
    }
    let codes = flowae::train::LatentCodes::encode(ae.model(), &train.take(200), &test.take(50), config.pixels).unwrap();
    let mut flow = FlowTrainer::with_codes(FlowTrainingConfig { epochs: 1, batch_size: 50, ..FlowTrainingConfig::default() }, codes.clone(), device).unwrap();
    while !flow.is_done() {
        pollster::block_on(flow.run(10)).unwrap();
    }
    let wgan_config = WganTrainingConfig { epochs: 1, batch_size: 50, generator_hidden: 16, ..WganTrainingConfig::default() };
    let mut wgan = WganTrainer::with_codes(wgan_config, codes, device).unwrap();
    while !wgan.is_done() {
        pollster::block_on(wgan.run(20)).unwrap();
    }
    let mut vae_config = config;
    vae_config.model.variational = true;
    let mut vae = AeTrainer::new(vae_config, train, test, device).unwrap();
    pollster::block_on(vae.run(2)).unwrap();
    let mut session = Session::default();
    session.insert(Kind::Autoencoder, Run::Encoder(ae));
    session.insert(Kind::Flow, Run::Flow(flow));
    session.insert(Kind::Wgan, Run::Wgan(wgan));
    session.insert(Kind::Vae, Run::Encoder(vae));
    session
}

/// Samples of every model of `session` at one seed.
fn samples(session: &Session) -> Vec<Vec<f32>> {
    let sampler = |kind: Kind| session.get(kind).unwrap().sampler().unwrap();
    let mut all = vec![
        pollster::block_on(sampler(Kind::Autoencoder).samples(8, 1.0, 3)).unwrap(),
        pollster::block_on(sampler(Kind::Flow).samples(8, 0.8, 3)).unwrap(),
        pollster::block_on(sampler(Kind::Wgan).samples(8, 1.0, 3)).unwrap(),
    ];
    for baseline in Kind::ALL.into_iter().filter(|k| k.is_baseline() && session.get(*k).is_some()) {
        all.push(pollster::block_on(sampler(baseline).samples(8, 1.0, 3)).unwrap());
    }
    all
}

#[test]
fn saved_models_sample_exactly_as_before() {
    let device = Device::flex();
    let (train, test) = (common::random_digits(300, 1), common::random_digits(60, 2));
    let session = small_session(&train, &test, &device);
    assert_eq!(session.models(), [Kind::Autoencoder, Kind::Flow, Kind::Wgan, Kind::Vae]);
    let bytes = pollster::block_on(session.to_file(serde_json::json!({"made_by": "test"}))).unwrap().to_bytes();
    let restored = Session::from_file(&WeightsFile::from_bytes(&bytes).unwrap(), &train, &test, &device).unwrap();
    assert_eq!(restored.models(), session.models());
    assert_eq!(samples(&restored), samples(&session));
    // The preview drawn before MNIST has arrived gives the very same samples.
    let preview = Preview::from_file(&WeightsFile::from_bytes(&bytes).unwrap(), &device).unwrap();
    let all = samples(&session);
    // One entry point samples every model by its name, as each trainer does.
    for (kind, expected) in session.models().into_iter().zip(&all) {
        let temperature = if kind == Kind::Flow { 0.8 } else { 1.0 };
        assert_eq!(&pollster::block_on(session.samples(kind, 8, temperature, 3)).unwrap(), expected, "{kind}");
    }
    let missing = pollster::block_on(session.samples(Kind::Aae, 8, 1.0, 3)).unwrap_err().to_string();
    assert!(missing.contains("no AAE yet"), "{missing}");
    assert_eq!(pollster::block_on(preview.sampler(Kind::Flow).unwrap().samples(8, 0.8, 3)).unwrap(), all[1]);
    assert_eq!(pollster::block_on(preview.sampler(Kind::Wgan).unwrap().samples(8, 1.0, 3)).unwrap(), all[2]);
    assert!(preview.sampler(Kind::Vae).is_none(), "a preview holds only the flow and the WGAN");
    assert_eq!(restored.encoder(Kind::Autoencoder).unwrap().config().model.hidden, 32);
    // A restored run counts as finished: training again means a new run.
    assert!(restored.get(Kind::Autoencoder).unwrap().is_done() && restored.get(Kind::Flow).unwrap().is_done());
}

#[test]
fn files_that_do_not_fit_are_refused() {
    let device = Device::flex();
    let (train, test) = (common::random_digits(300, 1), common::random_digits(60, 2));
    let session = small_session(&train, &test, &device);
    let file = pollster::block_on(session.to_file(serde_json::Value::Null)).unwrap();
    let refuse = |file: &WeightsFile| match Session::from_file(file, &train, &test, &device) {
        Err(Error::Data(message)) => message,
        Err(other) => other.to_string(),
        Ok(_) => panic!("the file should be refused"),
    };

    let mut classifier = file.clone();
    classifier.kind = "classifier".into();
    assert!(refuse(&classifier).contains(KIND) || refuse(&classifier).contains("classifier"), "{}", refuse(&classifier));

    let mut orphan = file.clone();
    orphan.meta.as_object_mut().unwrap().remove("autoencoder");
    orphan.tensors.retain(|t| !t.name.starts_with("autoencoder."));
    assert!(refuse(&orphan).contains("not the autoencoder"), "{}", refuse(&orphan));

    let mut wider = file.clone();
    wider.meta["autoencoder"]["model"]["hidden"] = serde_json::json!(64);
    assert!(refuse(&wider).contains("shape"), "{}", refuse(&wider));

    let mut missing = file.clone();
    missing.tensors.retain(|t| !t.name.starts_with("flow."));
    assert!(refuse(&missing).contains("lacks flow."), "{}", refuse(&missing));

    let mut nonsense = file.clone();
    nonsense.meta["wgan"] = serde_json::json!({"critic_steps": "many"});
    assert!(refuse(&nonsense).contains("wgan settings"), "{}", refuse(&nonsense));

    let bytes = file.to_bytes();
    assert!(WeightsFile::from_bytes(&bytes[..bytes.len() / 2]).is_err(), "a truncated file is refused");
}

/// Settings and weights that disagree are refused, not half-loaded: a header that says fewer
/// coupling layers than the file has tensors for, a tensor no model's header claims, a tensor
/// written twice (issue 12: each of these loaded before, ignoring the rest).
#[test]
fn headers_and_tensors_that_disagree_are_refused() {
    let device = Device::flex();
    let (train, test) = (common::random_digits(300, 1), common::random_digits(60, 2));
    let file = pollster::block_on(small_session(&train, &test, &device).to_file(serde_json::Value::Null)).unwrap();
    assert!(Session::from_file(&file, &train, &test, &device).is_ok(), "the file as written loads");
    let refused = |file: &WeightsFile| match Session::from_file(file, &train, &test, &device) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("the file should be refused"),
    };

    let mut fewer = file.clone();
    let layers = fewer.meta["flow"]["flow"]["layers"].as_u64().unwrap();
    assert!(layers > 1);
    fewer.meta["flow"]["flow"]["layers"] = serde_json::json!(1);
    assert!(refused(&fewer).contains("has no place for"), "{}", refused(&fewer));

    let mut stray = file.clone();
    let mut extra = stray.tensors[0].clone();
    extra.name = format!("aae.{}", extra.name);
    stray.tensors.push(extra);
    assert!(refused(&stray).contains("of no model its header lists"), "{}", refused(&stray));

    let mut twice = file.clone();
    twice.tensors.push(twice.tensors[0].clone());
    let message = WeightsFile::from_bytes(&twice.to_bytes()).err().expect("a tensor written twice is refused").to_string();
    assert!(message.contains("twice"), "{message}");
}

/// `file` with every value of the tensors whose names start with `prefix` and end with
/// `suffix` set to `value`.
fn with_values(file: &WeightsFile, prefix: &str, suffix: &str, value: f32) -> WeightsFile {
    let mut file = file.clone();
    let tensors = file.tensors.iter_mut().filter(|t| t.name.starts_with(prefix) && t.name.ends_with(suffix));
    let mut changed = 0;
    for tensor in tensors {
        tensor.values.iter_mut().for_each(|v| *v = value);
        changed += 1;
    }
    assert!(changed > 0, "no tensor {prefix}…{suffix}");
    file
}

/// Weights that are finite but absurd (3e38, issue 26) are refused as they load, naming the
/// tensor and the bound, and only their model is set aside: the others load. Before, they
/// loaded and drew solid black and white squares. The strict `from_file` refuses the file.
#[test]
fn weights_no_training_can_make_are_refused_model_by_model() {
    let device = Device::flex();
    let (train, test) = (common::random_digits(300, 1), common::random_digits(60, 2));
    let file = pollster::block_on(small_session(&train, &test, &device).to_file(serde_json::Value::Null)).unwrap();
    let absurd = with_values(&file, "flow.", "", 3e38);
    let opened = Session::open(&absurd, &train, &test, &device).unwrap();
    assert_eq!(opened.broken.iter().map(|b| b.kind).collect::<Vec<_>>(), [Kind::Flow]);
    let why = opened.broken[0].error.to_string();
    assert!(why.contains("holds a value of 3.0e38, which no training can make"), "{why}");
    assert_eq!(opened.session.models(), [Kind::Autoencoder, Kind::Wgan, Kind::Vae], "the other models load");
    assert!(opened.problems().contains("its flow (FlowAE) cannot be used"), "{}", opened.problems());
    assert!(Session::from_file(&absurd, &train, &test, &device).is_err(), "the strict reader refuses the file");
    assert!(Preview::from_file(&WeightsFile::from_bytes(&absurd.to_bytes()).unwrap(), &device).is_err(), "and so does the preview");
    // A BatchNorm running variance below zero (the generator's): its model only.
    let negative = with_values(&file, "wgan.generator.", "running_var", -1.0);
    let opened = pollster::block_on(Session::open(&negative, &train, &test, &device).unwrap().checked());
    assert_eq!(opened.broken.iter().map(|b| b.kind).collect::<Vec<_>>(), [Kind::Wgan]);
    assert!(opened.broken[0].error.to_string().contains("running variance of -1,"), "{}", opened.broken[0].error);
    assert_eq!(opened.session.models(), [Kind::Autoencoder, Kind::Flow, Kind::Vae]);
    // The autoencoder's weights damaged: the flow and the WGAN, fitted to its codes, go too.
    let decoder = with_values(&file, "autoencoder.decoder.", "", f32::MAX);
    let opened = Session::open(&decoder, &train, &test, &device).unwrap();
    assert_eq!(opened.broken.iter().map(|b| b.kind).collect::<Vec<_>>(), [Kind::Autoencoder, Kind::Flow, Kind::Wgan]);
    assert!(opened.broken[1].error.to_string().contains("fitted to the codes of the file's autoencoder"), "{}", opened.broken[1].error);
    assert_eq!(opened.session.models(), [Kind::Vae]);
}

/// Weights within the bound but absurd: a decoder whose weights are all 1e4 draws every pixel
/// at exactly 0 or 1. Such a model loads, and is caught by its samples ([`Opened::checked`]),
/// which are saturated everywhere; the models decoding through it go with it.
#[test]
fn models_whose_samples_are_saturated_everywhere_are_set_aside() {
    let device = Device::flex();
    let (train, test) = (common::random_digits(300, 1), common::random_digits(60, 2));
    let file = pollster::block_on(small_session(&train, &test, &device).to_file(serde_json::Value::Null)).unwrap();
    let whole = pollster::block_on(Session::open(&file, &train, &test, &device).unwrap().checked());
    assert!(whole.broken.is_empty(), "a trained file passes: {}", whole.problems());
    let loud = with_values(&file, "autoencoder.decoder.", "weight", 1e4);
    let opened = Session::open(&loud, &train, &test, &device).unwrap();
    assert!(opened.broken.is_empty(), "within the bound, it loads");
    let checked = pollster::block_on(opened.checked());
    assert_eq!(checked.broken.iter().map(|b| b.kind).collect::<Vec<_>>(), [Kind::Autoencoder, Kind::Flow, Kind::Wgan]);
    assert!(checked.broken[0].error.to_string().contains("samples are saturated: 0 of 50176 pixels"), "{}", checked.broken[0].error);
    assert_eq!(checked.session.models(), [Kind::Vae]);
}

#[test]
fn the_shipped_pretrained_models_load_and_sample() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/models/pretrained.bin");
    let bytes = std::fs::read(&path).expect("www/models/pretrained.bin is shipped");
    let file = WeightsFile::from_bytes(&bytes).unwrap();
    let (train, test) = common::mnist();
    let session = Session::from_file(&file, &train, &test, &Device::flex()).unwrap();
    assert_eq!(session.models(), [Kind::Autoencoder, Kind::Flow, Kind::Wgan]);
    // Every model passes the check a file must pass to be trusted, far from its bar: the
    // share of a digit's edge pixels is what the bar is set by.
    for kind in session.models() {
        let sampler = session.sampler(kind).unwrap();
        pollster::block_on(sampler.check()).unwrap();
        let pixels = pollster::block_on(sampler.samples(flowae::sample::CHECK_SAMPLES, 1.0, 1)).unwrap();
        let share = pixels.iter().filter(|p| flowae::sample::UNSURE.contains(*p)).count() as f64 / pixels.len() as f64;
        eprintln!("{kind}: {:.1}% of the pixels between 0.01 and 0.99", 100.0 * share);
        assert!(share > 20.0 * flowae::sample::MIN_UNSURE_SHARE, "{kind}: {share}");
    }
    for (model, pixels) in ["flow", "wgan"].iter().zip([
        pollster::block_on(session.get(Kind::Flow).unwrap().sampler().unwrap().samples(64, 1.0, 1)).unwrap(),
        pollster::block_on(session.get(Kind::Wgan).unwrap().sampler().unwrap().samples(64, 1.0, 1)).unwrap(),
    ]) {
        assert_eq!(pixels.len(), 64 * 784);
        // Digits: mostly background with some ink, like MNIST's ~19% of pixels above one half.
        let ink = pixels.iter().filter(|&&p| p >= 0.5).count() as f64 / pixels.len() as f64;
        assert!((0.05..0.35).contains(&ink), "{model}: {ink}");
    }
}

/// The page's and the worker's way in: a run started and trained by the model's name, with any
/// subset of its settings as JSON. The keyed calls train the same models as the trainers do
/// (same seed, same losses), refuse a bad name or order, and a fresh autoencoder drops what was
/// fitted to the old one's codes.
#[test]
fn runs_start_and_train_by_the_models_name() {
    let (train, test) = (common::random_digits(200, 1), common::random_digits(50, 2));
    let device = Device::flex();
    let mut session = Session::default();
    let refused = session.start(Kind::Flow, serde_json::json!({}), &train, &test, &device).unwrap_err().to_string();
    assert!(refused.contains("train the autoencoder first"), "{refused}");
    let refused = pollster::block_on(session.train(Kind::Wgan, 1, None)).unwrap_err().to_string();
    assert!(refused.contains("no generator (AdvAE) has been started"), "{refused}");

    let small = serde_json::json!({ "train_images": 200, "test_images": 50, "epochs": 1, "batch_size": 50, "model": { "hidden": 32 } });
    let (settings, steps) = session.start(Kind::Autoencoder, small.clone(), &train, &test, &device).unwrap();
    assert_eq!((settings["batch_size"].as_u64(), settings["epochs"].as_u64(), steps), (Some(50), Some(1), 4));
    assert_eq!(settings["learning_rate"], serde_json::json!(AeTrainingConfig::default().learning_rate), "the rest at their defaults");
    let mut losses = Vec::new();
    while !session.get(Kind::Autoencoder).unwrap().is_done() {
        losses.extend(pollster::block_on(session.train(Kind::Autoencoder, 3, None)).unwrap().losses);
    }
    let config: AeTrainingConfig = serde_json::from_value(settings).unwrap();
    let mut direct = AeTrainer::new(config, &train, &test, &device).unwrap();
    let mut expected = Vec::new();
    while !direct.is_done() {
        expected.extend(pollster::block_on(direct.run(3)).unwrap().losses);
    }
    assert_eq!(losses, expected, "by name or directly, the same run");

    session.start(Kind::Flow, serde_json::json!({ "epochs": 1, "batch_size": 50 }), &train, &test, &device).unwrap();
    while !session.get(Kind::Flow).unwrap().is_done() {
        pollster::block_on(session.train(Kind::Flow, 10, None)).unwrap();
    }
    assert!(session.models().contains(&Kind::Flow));
    assert_eq!(pollster::block_on(session.path(Kind::Flow, 1, 2, 4, 1.0)).unwrap().len(), 4 * 784);
    let refused = pollster::block_on(session.path(Kind::Autoencoder, 1, 2, 4, 1.0)).unwrap_err().to_string();
    assert!(refused.contains("only the flow and the WGAN can morph"), "{refused}");

    let (vae, _) = session.start(Kind::Vae, small.clone(), &train, &test, &device).unwrap();
    assert_eq!(vae["model"]["variational"], serde_json::json!(true), "the baseline's recipe is added");
    let refused = session.start(Kind::Wgan, serde_json::json!({ "critic_steps": 0 }), &train, &test, &device).unwrap_err().to_string();
    assert!(refused.contains("critic steps per generator step must be between"), "{refused}");
    assert!(session.start(Kind::Flow, serde_json::json!({ "layers": 3 }), &train, &test, &device).is_err(), "an unknown setting is refused");

    session.start(Kind::Autoencoder, small, &train, &test, &device).unwrap();
    assert!(session.get(Kind::Flow).is_none() && session.get(Kind::Wgan).is_none(), "a new autoencoder drops the latent models");
    assert!(session.get(Kind::Vae).is_some(), "and keeps the baselines, which have codes of their own");
}

/// Settings in a file's header that cannot build a network (a generator 0 wide: issue 12's
/// restart storm began with one in the shipped file) are refused with the setting's name by
/// both ways of opening a file, before any network is built; no panic.
#[test]
fn header_settings_that_cannot_build_a_network_are_refused() {
    let device = Device::flex();
    let (train, test) = (common::random_digits(300, 1), common::random_digits(60, 2));
    let file = pollster::block_on(small_session(&train, &test, &device).to_file(serde_json::Value::Null)).unwrap();
    for (model, setting, expected) in [("wgan", "generator_hidden", "generator width"), ("autoencoder", "epochs", "epochs")] {
        let mut bad = file.clone();
        bad.meta[model][setting] = serde_json::json!(0);
        let bytes = bad.to_bytes();
        let preview = Preview::from_file(&WeightsFile::from_bytes(&bytes).unwrap(), &device).err().expect("refused by the preview");
        assert!(preview.to_string().contains(expected), "{preview}");
        let full = Session::from_file(&WeightsFile::from_bytes(&bytes).unwrap(), &train, &test, &device).err().expect("refused on loading");
        assert!(full.to_string().contains(expected), "{full}");
    }
    let mut layers = file.clone();
    layers.meta["flow"]["flow"]["layers"] = serde_json::json!(0);
    assert!(Preview::from_file(&layers, &device).is_err(), "a flow of no layers");
}

/// burn's autodiff graph keeps what it knew of dropped parameters until some backward pass
/// sweeps it; a page that opens models files again and again without training (kept models,
/// backend moves, a visitor trying files) kept ~320 kB per small file, and the mutation fuzzer
/// ran out of 24 GB. Measured in a process of its own, so that no other test's memory counts.
#[cfg(target_os = "linux")]
#[test]
fn opening_models_again_and_again_keeps_no_memory() {
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "session::memory_of_repeated_loads", "--nocapture", "--test-threads", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&child.stdout);
    let kept = text.lines().find_map(|l| l.split_once("kept per load (kB): ")).and_then(|(_, v)| v.trim().parse::<f64>().ok());
    let kept = kept.unwrap_or_else(|| panic!("the measuring process printed no figure: {text}{}", String::from_utf8_lossy(&child.stderr)));
    assert!(kept < 30.0, "each load of the same models file kept {kept:.1} kB");
}

/// The measurement behind [`opening_models_again_and_again_keeps_no_memory`]: the resident
/// memory a load of the same file adds, over 300 loads after 50 to warm up.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "run by opening_models_again_and_again_keeps_no_memory, in a process of its own"]
fn memory_of_repeated_loads() {
    let resident_kb = || {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
        statm.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap() * 4.0
    };
    let device = Device::flex();
    let (train, test) = (common::random_digits(300, 1), common::random_digits(60, 2));
    let file = pollster::block_on(small_session(&train, &test, &device).to_file(serde_json::Value::Null)).unwrap();
    let load = || drop(Session::from_file(&file, &train, &test, &device).unwrap());
    (0..50).for_each(|_| load());
    let before = resident_kb();
    (0..300).for_each(|_| load());
    println!("kept per load (kB): {:.1}", (resident_kb() - before) / 300.0);
}
