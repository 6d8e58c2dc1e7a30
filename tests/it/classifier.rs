//! The FCD classifier shipped with the page: it loads, and it is as accurate as FCD needs.

use crate::common;

use std::path::PathBuf;

use burn::prelude::*;
use flowae::models::Classifier;
use flowae::data::Pixels;
use flowae::Kind;
use flowae::session::Session;
use flowae::train::classifier::{Reading, SURE, accuracy, read};
use flowae::weights::WeightsFile;

fn shipped() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/models/classifier.bin");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{} is missing ({e}); it is committed with the page", path.display()))
}

#[test]
fn the_shipped_classifier_loads_and_is_at_least_99_percent_accurate() {
    let device = Device::flex();
    let file = WeightsFile::from_bytes(&shipped()).unwrap();
    let classifier = Classifier::from_file(&file, &device).unwrap();
    let (_, test) = common::mnist();
    let score = pollster::block_on(accuracy(&classifier, &test, &device)).unwrap();
    assert!(score >= 0.99, "test accuracy {score}");
    let recorded = file.meta["test_accuracy"].as_f64().unwrap();
    assert!((recorded - f64::from(score)).abs() < 1e-6, "the file says {recorded}, measured {score}");
}

#[test]
fn a_file_of_another_kind_is_not_taken_for_the_classifier() {
    let mut file = WeightsFile::from_bytes(&shipped()).unwrap();
    file.kind = "models".into();
    assert!(Classifier::from_file(&file, &Device::flex()).unwrap_err().to_string().contains("not \"classifier\""));
}

#[test]
fn it_reads_real_digits_as_their_labels_and_surely_and_most_random_codes_unsurely() {
    let device = Device::flex();
    let classifier = Classifier::from_file(&WeightsFile::from_bytes(&shipped()).unwrap(), &device).unwrap();
    let (train, test) = common::mnist();
    let some: Vec<usize> = (0..200).collect();
    let readings = pollster::block_on(read(&classifier, &test.batch(&some, Pixels::Grayscale), &device)).unwrap();
    assert_eq!(readings.len(), 200);
    let right = readings.iter().zip(&test.labels()[..200]).filter(|(r, l)| r.digit == **l).count();
    assert!(right >= 196, "{right} of 200 read as their labels");
    let sure = |readings: &[Reading]| readings.iter().filter(|r| r.confidence >= SURE).count();
    eprintln!("read surely: {} of 200 test digits", sure(&readings));
    assert!(sure(&readings) >= 190, "only {} of 200 real digits read surely", sure(&readings));
    assert!(readings.iter().all(|r| r.digit < 10 && (0.1..=1.0).contains(&r.confidence)), "{readings:?}");
    // What the captions are for: the shipped FlowAE's samples read as digits far more often than
    // the plain autoencoder's decodings of z ~ N(0, I), step 1's smudges.
    let file = WeightsFile::from_bytes(&std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/models/pretrained.bin")).unwrap()).unwrap();
    let session = Session::from_file(&file, &train, &test, &device).unwrap();
    let read_samples = |kind| {
        let pixels = pollster::block_on(session.samples(kind, 256, 1.0, 1)).unwrap();
        sure(&pollster::block_on(read(&classifier, &pixels, &device)).unwrap())
    };
    let (flow, prior) = (read_samples(Kind::Flow), read_samples(Kind::Autoencoder));
    eprintln!("read surely, of 256: FlowAE {flow}, z ~ N(0, I) decoded {prior}");
    assert!(flow >= prior + 64 && flow >= 192, "FlowAE {flow}, prior {prior} of 256");
    assert!(pollster::block_on(read(&classifier, &[0.5; 100], &device)).is_err(), "a partial image is refused");
}
