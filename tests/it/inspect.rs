//! Drawn digits read by the shipped models (issue 28's draw pad): made MNIST inputs the MNIST
//! way, encoded near their class, and ranked by the flow's exact log-density among real digits,
//! where a scribble lands far below a drawn "1" or "0".

use crate::common;

use flowae::Kind;
use flowae::data::{PIXELS, Pixels, SIDE};
use flowae::digitize::{mnist_way, stroke};
use flowae::lab::{Drawn, Lab};
use flowae::rng::Rng;

/// The page's pad: 280 × 280, and a pen that after scaling to 20 px draws MNIST's ~2-px strokes.
const PAD: usize = 280;
const PEN: f32 = 22.0;

fn drawn(strokes: &[Vec<(f32, f32)>]) -> Vec<f32> {
    let mut ink = vec![0.0; PAD * PAD];
    for points in strokes {
        stroke(&mut ink, PAD, PAD, points, PEN);
    }
    ink
}

fn one() -> Vec<f32> {
    drawn(&[vec![(150.0, 40.0), (130.0, 240.0)]])
}

fn zero() -> Vec<f32> {
    let ring: Vec<(f32, f32)> = (0..=64).map(|i| {
        let a = i as f32 / 64.0 * std::f32::consts::TAU;
        (140.0 + 70.0 * a.cos(), 140.0 + 90.0 * a.sin())
    }).collect();
    drawn(&[ring])
}

/// A scribble: a zig-zag through `points` random points over the whole pad.
fn scribble(seed: u64, points: usize) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let path: Vec<(f32, f32)> = (0..points).map(|_| (20.0 + 240.0 * rng.uniform() as f32, 20.0 + 240.0 * rng.uniform() as f32)).collect();
    drawn(&[path])
}

/// Two letters, drawn as one would.
fn letters() -> [Vec<f32>; 2] {
    [
        drawn(&[vec![(60.0, 250.0), (140.0, 30.0), (220.0, 250.0)], vec![(95.0, 160.0), (185.0, 160.0)]]),
        drawn(&[vec![(30.0, 40.0), (80.0, 240.0), (140.0, 90.0), (200.0, 240.0), (250.0, 40.0)]]),
    ]
}

/// A lab reading with the pretrained models, before anything is trained.
fn pretrained_lab() -> Lab {
    let bytes = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/models/pretrained.bin")).unwrap();
    let lab = Lab::new();
    lab.open_preview(&bytes).unwrap();
    let (train, test) = common::mnist();
    lab.load_digits(train, test);
    lab
}

fn read(lab: &Lab, ink: &[f32]) -> Drawn {
    pollster::block_on(lab.inspect(ink, PAD, PAD)).unwrap()
}

/// The label most of the nearest training digits have.
fn nearest_class(drawn: &Drawn) -> u8 {
    let mut counts = [0; 10];
    drawn.reading.nearest_labels.iter().for_each(|&l| counts[l as usize] += 1);
    (0..10).max_by_key(|&d| counts[d as usize]).unwrap()
}

/// The bar: a drawn "1" and "0" are encoded near their classes and are typical for
/// FlowAE; scribbles and letters land in its lowest percentiles. The score that does it is
/// FlowAE's whole one, log q(z) + log p(x | z): the code's density alone does not (the encoder
/// sends a scribble to some code, often a likely one), which the page says and this records.
#[test]
fn a_drawn_one_and_zero_are_typical_and_scribbles_and_letters_are_not() {
    let lab = pretrained_lab();
    let (one, zero) = (read(&lab, &one()), read(&lab, &zero()));
    let show = |name: &str, d: &Drawn| {
        let r = &d.reading;
        eprintln!(
            "{name}: FlowAE {:.1} nats ({:.1}%): code log q(z) {:.1} ({:.1}%), pixels log p(x|z) {:.1} ({:.1}%); critic {:.2} ({:.1}%); nearest {:?}",
            r.joint.unwrap(), r.joint_percentile.unwrap(), r.log_density.unwrap(), r.density_percentile.unwrap(),
            r.reconstruction_log_likelihood, r.reconstruction_percentile, r.critic.unwrap(), r.critic_percentile.unwrap(), r.nearest_labels
        );
    };
    show("one", &one);
    show("zero", &zero);
    assert_eq!((nearest_class(&one), nearest_class(&zero)), (1, 0), "encoded near their classes");
    let joint = |d: &Drawn| d.reading.joint_percentile.unwrap();
    assert!(joint(&one) > 50.0 && joint(&zero) > 50.0, "typical digits: {} {}", joint(&one), joint(&zero));
    for (d, name) in letters().iter().map(|ink| read(&lab, ink)).zip(["A", "W"]) {
        show(name, &d);
        assert!(joint(&d) < 5.0, "the letter {name}: {}", joint(&d));
    }
    let scribbles: Vec<Drawn> = (1..=20).map(|seed| read(&lab, &scribble(seed, 12))).collect();
    let mut joints: Vec<f64> = scribbles.iter().map(joint).collect();
    let mut codes: Vec<f64> = scribbles.iter().map(|d| d.reading.density_percentile.unwrap()).collect();
    joints.sort_by(f64::total_cmp);
    codes.sort_by(f64::total_cmp);
    eprintln!("20 scribbles, FlowAE's percentiles: {joints:.1?}\n  their codes' alone: {codes:.0?}");
    assert!(joints.iter().filter(|&&p| p < 5.0).count() >= 18, "most scribbles below the 5th percentile: {joints:?}");
    assert!(joints[10] < 1.0, "the median scribble below the 1st: {joints:?}");
    assert!(joints.iter().all(|&p| p < joint(&one).min(joint(&zero))), "every scribble below the drawn digits");
    assert!(codes[10] > 5.0 * joints[10].max(1.0), "the code's density alone separates them far less: {codes:?}");
    assert_eq!(one.nearest_pixels.len(), 5 * PIXELS);
    assert_eq!(one.reading.reconstruction.len(), PIXELS);
    assert!(one.place.is_none(), "no map is drawn");
    assert!(one.pretrained);
}

/// An MNIST digit blown up ten times onto the pad comes back as MNIST made it: its longer
/// side 20 pixels, its centre of mass within a pixel of the middle, and read as the same digit
/// by the FCD classifier.
#[test]
fn an_mnist_digit_drawn_large_comes_back_as_mnist_made_it() {
    let (_, test) = common::mnist();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = flowae::weights::WeightsFile::from_bytes(&std::fs::read(root.join("www/models/classifier.bin")).unwrap()).unwrap();
    let device = burn::prelude::Device::flex();
    let classifier = flowae::models::Classifier::from_file(&file, &device).unwrap();
    let count = 100;
    let (mut originals, mut redrawn) = (Vec::new(), Vec::new());
    for i in 0..count {
        let digit = test.batch(&[i], Pixels::Grayscale);
        let mut ink = vec![0.0; PAD * PAD];
        for y in 0..PAD {
            for x in 0..PAD {
                ink[y * PAD + x] = digit[(y / 10) * SIDE + x / 10];
            }
        }
        let back = mnist_way(&ink, PAD, PAD).unwrap();
        let (mass, mut cx, mut cy) = (back.iter().sum::<f32>(), 0.0, 0.0);
        for (j, v) in back.iter().enumerate() {
            cx += v * ((j % SIDE) as f32 + 0.5);
            cy += v * ((j / SIDE) as f32 + 0.5);
        }
        assert!((cx / mass - 14.0).abs() <= 0.5 && (cy / mass - 14.0).abs() <= 0.5, "digit {i}: centre {} {}", cx / mass, cy / mass);
        originals.extend(digit);
        redrawn.extend(back);
    }
    let read = |images: &[f32]| pollster::block_on(flowae::train::classifier::read(&classifier, images, &device)).unwrap();
    let same = read(&originals).iter().zip(read(&redrawn)).filter(|(a, b)| a.digit == b.digit).count();
    assert!(same >= 97, "{same} of {count} read as the same digit");
}

/// The reading changes with the models: after the visitor trains an autoencoder of their own
/// it reads with that one (no flow or critic yet: no density).
#[test]
fn the_reader_follows_the_models_held() {
    let lab = pretrained_lab();
    let before = read(&lab, &one());
    pollster::block_on(lab.select_backend("cpu")).unwrap();
    lab.start(Kind::Autoencoder, serde_json::json!({ "train_images": 200, "test_images": 100, "epochs": 1, "batch_size": 50, "model": { "hidden": 32 } })).unwrap();
    pollster::block_on(lab.train(Kind::Autoencoder, 100, None)).unwrap();
    let after = read(&lab, &one());
    assert_ne!(after.reading.code, before.reading.code);
    assert!(before.pretrained && !after.pretrained);
    assert!(after.reading.log_density.is_none() && after.reading.critic.is_none(), "no flow or critic for the new autoencoder");
    let refused = pollster::block_on(lab.inspect(&vec![0.0; PAD * PAD], PAD, PAD)).unwrap_err().to_string();
    assert!(refused.contains("nothing is drawn"), "{refused}");
    let empty = Lab::new();
    let refused = pollster::block_on(empty.inspect(&one(), PAD, PAD)).unwrap_err().to_string();
    assert!(refused.contains("train it first"), "{refused}");
}

