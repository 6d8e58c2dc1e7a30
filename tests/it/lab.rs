//! The page's lab, natively: every call the worker makes, in the order a page makes them and
//! out of it. The browser tests drive the same calls through src/web.rs, which only converts.

use crate::common;

use flowae::Kind;
use flowae::lab::Lab;
use flowae::map::LatentMapConfig;
use flowae::train::AeTrainingConfig;
use flowae::weights::WeightsFile;
use serde_json::json;

/// A small autoencoder's settings, as a page sends them (any subset).
fn small_autoencoder() -> serde_json::Value {
    json!({ "train_images": 200, "test_images": 100, "epochs": 1, "batch_size": 50, "model": { "hidden": 32 } })
}

/// Trains `kind`'s run to its end, chunk by chunk, as the worker does.
fn train_to_end(lab: &Lab, kind: Kind) {
    for _ in 0..10_000 {
        if pollster::block_on(lab.train(kind, 25, None)).unwrap().done {
            return;
        }
    }
    panic!("{kind} never finished");
}

/// A lab on random digits and the CPU, with a trained small autoencoder and flow.
fn lab_with_flow() -> Lab {
    let lab = Lab::new();
    lab.load_digits(common::random_digits(300, 1), common::random_digits(150, 2));
    pollster::block_on(lab.select_backend("cpu")).unwrap();
    lab.start(Kind::Autoencoder, small_autoencoder()).unwrap();
    train_to_end(&lab, Kind::Autoencoder);
    lab.start(Kind::Flow, json!({ "epochs": 1, "batch_size": 50 })).unwrap();
    train_to_end(&lab, Kind::Flow);
    lab
}

fn error<T>(result: flowae::Result<T>) -> String {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// Each call made before what it needs is there says what is missing, and changes nothing.
#[test]
fn calls_out_of_order_say_what_is_missing() {
    let lab = Lab::new();
    assert!(error(lab.start(Kind::Autoencoder, json!({}))).contains("the images are not loaded yet"));
    let counts = lab.load_digits(common::random_digits(300, 1), common::random_digits(150, 2));
    assert_eq!((counts.train, counts.test), (300, 150));
    assert!(error(lab.start(Kind::Autoencoder, json!({}))).contains("no backend selected"));
    assert!(error(pollster::block_on(lab.select_backend("tpu"))).contains("tpu"));
    pollster::block_on(lab.select_backend("cpu")).unwrap();
    assert!(error(lab.start(Kind::Flow, json!({}))).contains("train the autoencoder first"));
    assert!(error(pollster::block_on(lab.train(Kind::Wgan, 1, None))).contains("no generator (AdvAE) has been started"));
    assert!(error(pollster::block_on(lab.reconstructions(4))).contains("has been started"));
    assert!(error(pollster::block_on(lab.samples(Kind::Flow, 4, 1.0, 1))).contains("train it first"));
    assert!(error(lab.latent_map_step(10)).contains("no latent map has been started"));
    assert!(error(pollster::block_on(lab.latent_map_decode(0.0, 0.0, false))).contains("draw the map first"));
    assert!(error(lab.accept_pending()).contains("no models file is waiting"));
    assert!(error(pollster::block_on(lab.read_digits(&[0.0; 784]))).contains("the classifier is not loaded"));
    assert!(error(pollster::block_on(lab.fcd_score(None, 100, 1))).contains("the classifier is not loaded"));
    assert!(error(pollster::block_on(lab.save_models())).contains("no trained model to save"));
    assert!(error(pollster::block_on(lab.load_models(b"not a models file"))).len() > 10);
    assert!(lab.models().is_empty(), "nothing was made by the refused calls");
}

/// A page's life: train, draw, save; a second page loads the file and draws the same pictures;
/// Reset forgets the models.
#[test]
fn models_trained_saved_and_loaded_draw_the_same_pictures() {
    let lab = lab_with_flow();
    assert_eq!(lab.models(), [Kind::Autoencoder, Kind::Flow]);
    let samples = pollster::block_on(lab.samples(Kind::Flow, 8, 0.8, 3)).unwrap();
    assert_eq!(samples.len(), 8 * 784);
    let reconstructions = pollster::block_on(lab.reconstructions(5)).unwrap();
    assert_eq!((reconstructions.inputs.len(), reconstructions.outputs.len()), (5 * 784, 5 * 784));
    let morph = pollster::block_on(lab.interpolate(Kind::Flow, 1, 2, 6, 1.0)).unwrap();
    assert_eq!(morph.len(), 6 * 784);
    assert!(pollster::block_on(lab.flow_round_trip_error(64)).unwrap() < 1e-3);
    let bytes = pollster::block_on(lab.save_models()).unwrap();

    let other = Lab::new();
    other.load_digits(common::random_digits(300, 1), common::random_digits(150, 2));
    pollster::block_on(other.select_backend("cpu")).unwrap();
    let loaded = pollster::block_on(other.load_models(&bytes)).unwrap();
    assert_eq!((loaded.models.clone(), loaded.pending, loaded.broken.len()), (vec![Kind::Autoencoder, Kind::Flow], false, 0));
    assert_eq!(loaded.settings["autoencoder"]["model"]["hidden"], json!(32), "the file's settings come back");
    assert_eq!(pollster::block_on(other.samples(Kind::Flow, 8, 0.8, 3)).unwrap(), samples, "bit for bit");

    other.reset();
    assert!(other.models().is_empty());
    assert!(error(pollster::block_on(other.samples(Kind::Flow, 8, 0.8, 3))).contains("train it first"));
}

/// A file with one broken model: nothing changes until the visitor says so; accepting loads
/// the good models, discarding keeps the old ones. A file that is not ours changes nothing.
#[test]
fn a_file_with_a_broken_model_waits_for_the_visitor() {
    let lab = lab_with_flow();
    let bytes = pollster::block_on(lab.save_models()).unwrap();
    let mut file = WeightsFile::from_bytes(&bytes).unwrap();
    file.tensors.iter_mut().filter(|t| t.name.starts_with("flow.")).for_each(|t| t.values.iter_mut().for_each(|v| *v = 3e38));
    let damaged = file.to_bytes();

    // A fresh autoencoder, so that "the models held" and "the file's" can be told apart.
    lab.start(Kind::Autoencoder, json!({ "train_images": 100, "test_images": 100, "epochs": 1, "batch_size": 50, "model": { "hidden": 16 } })).unwrap();
    train_to_end(&lab, Kind::Autoencoder);
    let held = pollster::block_on(lab.samples(Kind::Autoencoder, 4, 1.0, 5)).unwrap();

    let loaded = pollster::block_on(lab.load_models(&damaged)).unwrap();
    assert!(loaded.pending);
    assert_eq!(loaded.models, [Kind::Autoencoder]);
    assert_eq!(loaded.broken.iter().map(|b| b.model).collect::<Vec<_>>(), [Kind::Flow]);
    assert!(loaded.broken[0].message.contains("which no training can make"), "{}", loaded.broken[0].message);
    assert_eq!(pollster::block_on(lab.samples(Kind::Autoencoder, 4, 1.0, 5)).unwrap(), held, "nothing replaced yet");
    lab.discard_pending();
    assert!(error(lab.accept_pending()).contains("no models file is waiting"));
    assert_eq!(pollster::block_on(lab.samples(Kind::Autoencoder, 4, 1.0, 5)).unwrap(), held, "discarded: the models held stay");

    pollster::block_on(lab.load_models(&damaged)).unwrap();
    assert_eq!(lab.accept_pending().unwrap(), [Kind::Autoencoder]);
    assert_eq!(lab.models(), [Kind::Autoencoder]);
    assert_ne!(pollster::block_on(lab.samples(Kind::Autoencoder, 4, 1.0, 5)).unwrap(), held, "the file's autoencoder now");

    let refused = error(pollster::block_on(lab.load_models(&bytes[..bytes.len() / 2])));
    assert!(!refused.is_empty());
    assert_eq!(lab.models(), [Kind::Autoencoder], "a damaged file changes nothing");
}

/// The latent map: the PCA picture at once, t-SNE in chunks to its end, the flow's codes and
/// N(0, I)'s laid over the digits, and any spot decoded by the autoencoder.
#[test]
fn a_latent_map_is_drawn_and_decoded() {
    let lab = lab_with_flow();
    let config = LatentMapConfig { digits: 100, overlay: 20, perplexity: 10.0, iterations: 60, ..LatentMapConfig::default() };
    let map = pollster::block_on(lab.new_latent_map(config)).unwrap();
    assert_eq!(map.labels.len(), 100);
    let names: Vec<&str> = map.overlays.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["flow", "prior"], "the WGAN is not trained: left out");
    assert_eq!(map.preview.len(), 2 * 140);
    let mut chunks = 0;
    let last = loop {
        let step = lab.latent_map_step(25).unwrap();
        chunks += 1;
        if step.done {
            break step;
        }
        assert!(step.agreement.is_none());
    };
    assert_eq!((last.iteration, chunks, last.embedding.len()), (60, 3, 2 * 140));
    assert!(last.agreement.is_some());
    let decoded = pollster::block_on(lab.latent_map_decode(0.0, 0.0, true)).unwrap();
    assert_eq!((decoded.pixels.len(), decoded.code.len()), (784, AeTrainingConfig::default().model.latent));
    assert!(decoded.nearest.is_some());
    let refused = error(pollster::block_on(lab.new_latent_map(LatentMapConfig { source: Kind::Flow, ..LatentMapConfig::default() })));
    assert!(refused.contains("source"), "{refused}");
}

/// The page's first picture: the pretrained preview samples before any digit or backend is
/// there, exactly as the same file loaded in full does; the classifier then reads and scores.
#[test]
fn the_preview_draws_what_the_loaded_models_draw_and_the_classifier_scores() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let pretrained = std::fs::read(root.join("www/models/pretrained.bin")).unwrap();
    let lab = Lab::new();
    assert_eq!(lab.open_preview(&pretrained).unwrap(), [Kind::Flow, Kind::Wgan]);
    let preview = pollster::block_on(lab.samples(Kind::Flow, 8, 1.0, 4)).unwrap();
    // The page saves the samples as the command line does: the same seed, the same digits.
    let npy = pollster::block_on(lab.samples_npy(Kind::Flow, 1.0, 4)).unwrap();
    let header = 10 + u16::from_le_bytes([npy[8], npy[9]]) as usize;
    assert_eq!(npy.len(), header + flowae::npy::SAMPLES_SAVED * 784);
    // Its first digits are the grid's (the same draws from the same seed), rounded to bytes.
    let shown: Vec<u8> = preview.iter().map(|p| (p.clamp(0.0, 1.0) * 255.0).round() as u8).collect();
    assert_eq!(&npy[header..header + shown.len()], &shown[..]);
    assert!(error(pollster::block_on(lab.samples_npy(Kind::Vae, 1.0, 4))).len() > 5, "no VAE yet: said, not saved");
    assert!(error(lab.open_preview(b"nonsense")).len() > 5);

    let (train, test) = common::mnist();
    lab.load_digits(train, test);
    pollster::block_on(lab.select_backend("cpu")).unwrap();
    pollster::block_on(lab.load_models(&pretrained)).unwrap();
    assert_eq!(pollster::block_on(lab.samples(Kind::Flow, 8, 1.0, 4)).unwrap(), preview);

    let classifier = std::fs::read(root.join("www/models/classifier.bin")).unwrap();
    let meta = lab.load_classifier(&classifier).unwrap();
    assert!(meta["test_accuracy"].as_f64().unwrap() > 0.98);
    assert!(pollster::block_on(lab.classifier_accuracy(200)).unwrap() > 0.95);
    let floor = pollster::block_on(lab.fcd_score(None, 300, 1)).unwrap();
    let flow = pollster::block_on(lab.fcd_score(Some(Kind::Flow), 300, 1)).unwrap();
    assert!(floor < flow, "real digits {floor} score better than FlowAE's samples {flow}");
    assert!(error(pollster::block_on(lab.fcd_score(None, 1, 1))).contains("the FCD needs 2 to"));
    let readings = pollster::block_on(lab.read_digits(&preview)).unwrap();
    assert_eq!(readings.len(), 8);
}

/// Timing the autoencoder (how the page picks a backend) trains a run of its own: the models
/// held are untouched. The clock is the caller's; a fake one makes the count exact.
#[test]
fn timing_the_autoencoder_leaves_the_models_alone() {
    let lab = Lab::new();
    lab.load_digits(common::random_digits(400, 1), common::random_digits(100, 2));
    pollster::block_on(lab.select_backend("cpu")).unwrap();
    let config: AeTrainingConfig = serde_json::from_value(small_autoencoder()).unwrap();
    let clock = std::cell::Cell::new(0.0);
    let now = || {
        clock.set(clock.get() + 40.0); // 40 ms between looks at the clock
        clock.get()
    };
    let timing = pollster::block_on(lab.time_autoencoder(config, 1, 0.5, now)).unwrap();
    // Each chunk looks at the clock three times (loop test, before, after): 120 ms per chunk,
    // growing 1, 2, 4 steps, until the 200 images' 4 steps of the one epoch are done.
    assert_eq!(timing.steps, 1.0 + 3.0, "one warm-up step, then the epoch's other three");
    assert!(timing.images_per_second > 0.0);
    assert!(lab.models().is_empty(), "no model was kept");
}

/// A data set is data: a lab holds one set's images (packed as build.sh packs them), its models
/// record that set, and a classifier of another set is refused rather than scoring foreign
/// images. Images of another set replace the models held, which learned the old ones.
#[test]
fn the_lab_holds_one_data_set_and_refuses_another_sets_classifier() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let lab = Lab::new();
    let (train, test) = (common::random_digits(300, 1), common::random_digits(150, 2));
    let packed = (common::packed_by_the_tool(&train, "train-fashion"), common::packed_by_the_tool(&test, "test-fashion"));
    assert!(error(lab.load_packed("cifar", &packed.0, &packed.1)).contains("\"mnist\", \"fashion\""));
    assert_eq!(lab.load_packed("fashion", &packed.0, &packed.1).unwrap().train, 300);
    pollster::block_on(lab.select_backend("cpu")).unwrap();
    lab.start(Kind::Autoencoder, small_autoencoder()).unwrap();
    pollster::block_on(lab.train(Kind::Autoencoder, 2, None)).unwrap();
    let saved = WeightsFile::from_bytes(&pollster::block_on(lab.save_models()).unwrap()).unwrap();
    assert_eq!(saved.meta["data"], "fashion");
    // MNIST's classifier reads these models' samples as foreign: refused, in words.
    lab.load_classifier(&std::fs::read(root.join("www/models/classifier.bin")).unwrap()).unwrap();
    let refused = error(pollster::block_on(lab.fcd_score(Some(Kind::Autoencoder), 100, 1)));
    assert!(refused.contains("learned MNIST") && refused.contains("Fashion-MNIST"), "{refused}");
    // The same file opens in a lab of Fashion-MNIST, not in one of MNIST.
    let bytes = saved.to_bytes();
    assert_eq!(pollster::block_on(lab.load_models(&bytes)).unwrap().models, [Kind::Autoencoder]);
    lab.load_digits(common::random_digits(300, 1), common::random_digits(150, 2));
    assert!(error(pollster::block_on(lab.reconstructions(4))).contains("has been started"), "MNIST's images replace Fashion-MNIST's models");
    let refused = error(pollster::block_on(lab.load_models(&bytes)));
    assert!(refused.contains("learned Fashion-MNIST") && refused.contains("data=fashion"), "{refused}");
}

/// A visitor's own pictures (varied sizes and colours, one with nothing in it) made inputs the
/// MNIST way, loaded as a set of their own, train the autoencoder and the flow and draw
/// samples; a small set's epochs pass over it as often as the quick run's 20,000 images are
/// passed over, and too few pictures are refused with the reason.
#[test]
fn own_pictures_train_the_autoencoder_and_the_flow() {
    let mut pixels = Vec::new();
    let mut unreadable = 0;
    for i in 0..61usize {
        let (width, height) = (30 + (i * 7) % 50, 40 + (i * 13) % 60);
        let (paper, pen): ([u8; 4], [u8; 4]) = if i % 2 == 0 { ([255, 255, 255, 255], [(i * 4) as u8, 0, 90, 255]) } else { ([10, 20, 30, 255], [250, 200, (i * 3) as u8, 255]) };
        let (x0, y0) = (i % 7 + 2, i % 5 + 2);
        let (x1, y1) = (width - 3 - i % 4, height - 3 - (i / 2) % 6);
        let mut rgba: Vec<u8> = (0..width * height)
            .flat_map(|p| {
                let (x, y) = (p % width, p / width);
                // A ring for odd i, a bar for even: two kinds of picture.
                let on = if i % 2 == 0 { (x0..x0 + 6 + i % 5).contains(&x) && (y0..y1).contains(&y) } else { (x0..x1).contains(&x) && (y0..y1).contains(&y) && !((x0 + 4..x1 - 4).contains(&x) && (y0 + 4..y1 - 4).contains(&y)) };
                if on { pen } else { paper }
            })
            .collect();
        if i == 60 {
            rgba.iter_mut().for_each(|b| *b = 128); // nothing stands out: skipped, as the page counts it
        }
        match flowae::digitize::picture(&rgba, width, height) {
            Ok(image) => pixels.extend(image),
            Err(_) => unreadable += 1,
        }
    }
    assert_eq!((pixels.len() / 784, unreadable), (60, 1));
    let lab = Lab::new();
    assert!(error(lab.load_own(&pixels[..784 * 49], &[])).contains("49 images are too few: at least 50"));
    let labels: Vec<u8> = (0..60).map(|i| (i % 2) as u8).collect();
    let counts = lab.load_own(&pixels, &labels).unwrap();
    assert_eq!((counts.train, counts.test), (50, 10));
    pollster::block_on(lab.select_backend("cpu")).unwrap();
    // The page's quick run asks for 20,000 images, 3 epochs, batches of 100: here all 50, as
    // many passes as 20,000 images make (400 an epoch, at most the limit's 1,000 epochs), and
    // batches of 50.
    let (settings, steps) = lab.start(Kind::Autoencoder, json!({ "train_images": 20_000, "test_images": 2_000, "epochs": 3, "model": { "hidden": 32 } })).unwrap();
    assert_eq!((settings["train_images"].as_u64(), settings["test_images"].as_u64()), (Some(50), Some(10)));
    assert_eq!((settings["epochs"].as_u64(), settings["batch_size"].as_u64(), steps), (Some(1_000), Some(50), 1));
    lab.start(Kind::Autoencoder, json!({ "train_images": 20_000, "epochs": 1, "model": { "hidden": 32 } })).unwrap();
    train_to_end(&lab, Kind::Autoencoder);
    let (flow, _) = lab.start(Kind::Flow, json!({ "epochs": 1 })).unwrap();
    assert_eq!((flow["epochs"].as_u64(), flow["batch_size"].as_u64()), (Some(400), Some(50)));
    lab.start(Kind::Flow, json!({ "epochs": 1, "batch_size": 25 })).unwrap();
    for _ in 0..8 {
        pollster::block_on(lab.train(Kind::Flow, 25, None)).unwrap();
    }
    let samples = pollster::block_on(lab.samples(Kind::Flow, 8, 1.0, 3)).unwrap();
    assert_eq!(samples.len(), 8 * 784);
    assert!(samples.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)));
    // Their models record the set, so no page of another set opens them as its own.
    let bytes = pollster::block_on(lab.save_models()).unwrap();
    assert_eq!(WeightsFile::from_bytes(&bytes).unwrap().meta["data"], "own");
}
