//! The FCD classifier shipped with the page: it loads, and it is as accurate as FCD needs.

use crate::common;

use std::path::PathBuf;

use burn::prelude::*;
use flowae::models::Classifier;
use flowae::train::classifier::accuracy;
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
