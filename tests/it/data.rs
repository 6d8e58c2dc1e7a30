//! The IDX reader on good and malformed bytes.

use crate::common;

use flowae::Error;
use flowae::data::{Digits, PIXELS, Pixels, epoch_batches, parse_images, parse_labels, to_idx};
use flowae::rng::Rng;

fn data_error(result: Result<Digits, Error>) -> String {
    match result {
        Err(Error::Data(message)) => message,
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn round_trips_through_idx() {
    let digits = common::random_digits(7, 3);
    let (images, labels) = to_idx(&digits);
    assert_eq!(images.len(), 16 + 7 * PIXELS);
    assert_eq!(Digits::from_idx(&images, &labels).unwrap(), digits);
}

#[test]
fn reads_the_real_mnist_files() {
    let (train, test) = common::mnist();
    assert_eq!((train.len(), test.len()), (60_000, 10_000));
    // The first training digit of MNIST is a 5, the first test digit a 7.
    assert_eq!((train.labels()[0], test.labels()[0]), (5, 7));
    let ink: u32 = train.image(0).iter().map(|&p| u32::from(p)).sum();
    assert!(ink > 10_000, "the first digit should have ink, got {ink}");
}

#[test]
fn refuses_a_truncated_image_file() {
    let (images, labels) = to_idx(&common::random_digits(5, 1));
    let message = data_error(Digits::from_idx(&images[..images.len() - 100], &labels));
    assert!(message.contains("truncated"), "{message}");
}

#[test]
fn refuses_extra_bytes_after_the_data() {
    let (mut images, labels) = to_idx(&common::random_digits(2, 1));
    images.push(0);
    assert!(data_error(Digits::from_idx(&images, &labels)).contains("announces"));
}

#[test]
fn refuses_a_header_cut_short() {
    let (images, labels) = to_idx(&common::random_digits(2, 1));
    for len in [0, 3, 4, 11, 15] {
        let message = data_error(Digits::from_idx(&images[..len], &labels));
        assert!(message.contains("header") || message.contains("magic"), "{len}: {message}");
    }
}

#[test]
fn refuses_a_gzip_or_foreign_file_by_its_magic() {
    let (_, labels) = to_idx(&common::random_digits(2, 1));
    let gzip = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    assert!(data_error(Digits::from_idx(&gzip, &labels)).contains("magic"));
    // An image file given where the labels belong.
    let (images, _) = to_idx(&common::random_digits(2, 1));
    assert!(parse_labels(&images).is_err());
}

#[test]
fn refuses_counts_that_disagree() {
    let (images, _) = to_idx(&common::random_digits(3, 1));
    let (_, labels) = to_idx(&common::random_digits(4, 1));
    assert!(data_error(Digits::from_idx(&images, &labels)).contains("4 labels"));
}

#[test]
fn refuses_a_header_whose_count_overstates_the_data() {
    let (mut images, labels) = to_idx(&common::random_digits(3, 1));
    images[4..8].copy_from_slice(&1_000_000u32.to_be_bytes());
    assert!(data_error(Digits::from_idx(&images, &labels)).contains("truncated"));
    // Sizes whose product overflows must be an error, not a panic.
    images[8..16].copy_from_slice(&[0xff; 8]);
    assert!(parse_images(&images).is_err());
}

#[test]
fn refuses_labels_that_are_not_digits() {
    let (images, mut labels) = to_idx(&common::random_digits(3, 1));
    labels[9] = 12;
    assert!(data_error(Digits::from_idx(&images, &labels)).contains("not a digit"));
}

#[test]
fn refuses_images_that_are_not_28_by_28() {
    let mut images = Vec::new();
    for v in [0x803u32, 1, 10, 10] {
        images.extend_from_slice(&v.to_be_bytes());
    }
    images.extend_from_slice(&[0; 100]);
    let labels = [0, 0, 8, 1, 0, 0, 0, 1, 3];
    assert!(data_error(Digits::from_idx(&images, &labels)).contains("10×10"));
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng::new(9);
    let (images, labels) = to_idx(&common::random_digits(2, 1));
    for _ in 0..2000 {
        let mut bytes = images.clone();
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(bytes.len());
            bytes[at] = rng.next_u64() as u8;
        }
        bytes.truncate(rng.below(bytes.len() + 1));
        let _ = Digits::from_idx(&bytes, &labels);
    }
}

#[test]
fn binarizes_at_one_half_and_scales_grayscale() {
    let mut pixels = vec![0u8; PIXELS];
    pixels[..4].copy_from_slice(&[0, 127, 128, 255]);
    let digits = Digits::from_parts(pixels, vec![3]).unwrap();
    assert_eq!(digits.batch(&[0], Pixels::Binarized)[..4], [0.0, 0.0, 1.0, 1.0]);
    let gray = digits.batch(&[0], Pixels::Grayscale);
    assert_eq!(gray[0], 0.0);
    assert_eq!(gray[3], 1.0);
    assert!((gray[1] - 127.0 / 255.0).abs() < 1e-6);
    assert!(Pixels::parse("sepia").is_err());
}

#[test]
fn an_epoch_visits_each_digit_at_most_once_in_full_batches() {
    let batches = epoch_batches(1005, 100, &mut Rng::new(4));
    assert_eq!(batches.len(), 10);
    let mut seen: Vec<usize> = batches.concat();
    assert!(batches.iter().all(|b| b.len() == 100));
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 1000);
    assert_ne!(epoch_batches(1005, 100, &mut Rng::new(5)), batches, "the seed should change the order");
}

#[test]
fn packed_digits_are_the_binarized_originals_and_refuse_grayscale() {
    // 13 digits: 13 × 784 bits is not a whole number of bytes' worth per digit boundary.
    let digits = common::random_digits(13, 5);
    let packed = common::packed_by_the_tool(&digits, "round-trip");
    assert_eq!(packed.len(), 20 + 13 + (13 * PIXELS).div_ceil(8));
    let read = Digits::from_packed(&packed).unwrap();
    assert_eq!(read.labels(), digits.labels());
    let all: Vec<usize> = (0..13).collect();
    assert_eq!(read.batch(&all, Pixels::Binarized), digits.batch(&all, Pixels::Binarized));
    assert!(digits.has_grayscale() && !read.has_grayscale());
    assert!(read.check_pixels(Pixels::Binarized).is_ok());
    let refused = read.check_pixels(Pixels::Grayscale).unwrap_err().to_string();
    assert!(refused.contains("grayscale"), "{refused}");
    assert!(read.take(5).check_pixels(Pixels::Grayscale).is_err(), "a subset stays binarized");
}

#[test]
fn damaged_packed_files_are_refused_with_a_message() {
    let packed = common::packed_by_the_tool(&common::random_digits(3, 9), "damaged");
    for len in 0..packed.len() {
        let message = data_error(Digits::from_packed(&packed[..len]));
        assert!(!message.is_empty());
    }
    let mut longer = packed.clone();
    longer.push(0);
    assert!(data_error(Digits::from_packed(&longer)).contains("announces"));
    let mut label = packed.clone();
    label[20] = 10;
    assert!(data_error(Digits::from_packed(&label)).contains("not a digit"));
    let mut huge = packed.clone();
    huge[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(!data_error(Digits::from_packed(&huge)).is_empty());
    assert!(data_error(Digits::from_packed(&to_idx(&common::random_digits(1, 1)).0)).contains("MNISTBIT"));
}
