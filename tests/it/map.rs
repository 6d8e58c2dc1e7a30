//! The latent map: PCA finds the directions of largest variance; t-SNE keeps clusters apart
//! where a linear projection cannot; the agreement score tells the two apart.

use flowae::map::{neighbour_agreement, Pca, Tsne, TsneConfig};
use flowae::rng::Rng;
use flowae::Error;

/// `per` points around each of ten centres 10·eₖ in ten dimensions (unit noise): every pair of
/// clusters is 14 apart, yet no plane shows more than a few of them apart.
fn simplex_blobs(per: usize, seed: u64) -> (Vec<f32>, Vec<u8>) {
    let mut rng = Rng::new(seed);
    let mut points = Vec::new();
    let mut labels = Vec::new();
    for i in 0..per * 10 {
        let label = (i % 10) as u8;
        for d in 0..10 {
            points.push(rng.normal() + if d == label as usize { 10.0 } else { 0.0 });
        }
        labels.push(label);
    }
    (points, labels)
}

#[test]
fn tsne_separates_clusters_that_pca_overlaps() {
    let (points, labels) = simplex_blobs(100, 1);
    let in_codes = neighbour_agreement(&points, 10, &labels, 10).unwrap();
    assert!(in_codes > 0.99, "the clusters are separate in 10-D: {in_codes}");

    let pca = Pca::fit(&points, 10).unwrap().project(&points).unwrap();
    let linear = neighbour_agreement(&pca, 2, &labels, 10).unwrap();

    let mut tsne = Tsne::new(&points, 10, TsneConfig::default()).unwrap();
    let mut chunks = 0;
    while !tsne.run(100).unwrap() {
        chunks += 1;
    }
    assert_eq!((tsne.iteration(), chunks), (1000, 9), "runs in chunks to the configured end");
    let map = tsne.embedding();
    assert_eq!(map.len(), 2 * 1000);
    assert!(map.iter().all(|v| v.is_finite()));
    let tsne_agreement = neighbour_agreement(&map, 2, &labels, 10).unwrap();
    eprintln!("neighbour agreement: codes {in_codes:.3}, PCA {linear:.3}, t-SNE {tsne_agreement:.3}");
    assert!(tsne_agreement >= 0.9, "t-SNE keeps the clusters apart: {tsne_agreement}");
    assert!(linear < 0.8, "PCA shows at most a few of ten simplex clusters apart: {linear}");
}

#[test]
fn agreement_of_scattered_labels_is_near_chance() {
    let (points, mut labels) = simplex_blobs(50, 2);
    Rng::new(9).shuffle(&mut labels);
    let score = neighbour_agreement(&points, 10, &labels, 10).unwrap();
    assert!(score < 0.2, "{score}");
}

#[test]
fn pca_finds_the_long_axis() {
    // Variance 9 along (1, 1)/√2 and 1 across it, plus a constant third coordinate offset.
    let mut rng = Rng::new(4);
    let mut points = Vec::new();
    for _ in 0..4000 {
        let (a, b) = (3.0 * rng.normal(), rng.normal());
        let s = std::f32::consts::FRAC_1_SQRT_2;
        points.extend([(a - b) * s + 5.0, (a + b) * s - 2.0, 0.1 * rng.normal()]);
    }
    let pca = Pca::fit(&points, 3).unwrap();
    assert!((pca.explained[0] - 0.9).abs() < 0.02 && (pca.explained[1] - 0.1).abs() < 0.02, "{:?}", pca.explained);
    // The centre maps to the origin and a step along the long axis only moves the first coordinate.
    let s = std::f32::consts::FRAC_1_SQRT_2;
    let p = pca.project(&[5.0, -2.0, 0.0, 5.0 + s, -2.0 + s, 0.0]).unwrap();
    assert!(p[0].abs() < 0.1 && p[1].abs() < 0.1, "{p:?}");
    assert!(((p[2] - p[0]).abs() - 1.0).abs() < 0.02 && (p[3] - p[1]).abs() < 0.02, "{p:?}");
}

#[test]
fn same_points_same_map() {
    let (points, _) = simplex_blobs(20, 3);
    let config = TsneConfig { perplexity: 10.0, iterations: 300, ..TsneConfig::default() };
    let mut a = Tsne::new(&points, 10, config.clone()).unwrap();
    let mut b = Tsne::new(&points, 10, config).unwrap();
    a.run(300).unwrap();
    b.run(150).unwrap();
    b.run(150).unwrap();
    assert_eq!(a.embedding(), b.embedding());
}

#[test]
fn bad_inputs_are_refused() {
    let (points, labels) = simplex_blobs(5, 5);
    let refuse = |config: TsneConfig| match Tsne::new(&points, 10, config) {
        Err(Error::Config(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(refuse(TsneConfig { perplexity: 30.0, ..TsneConfig::default() }).contains("needs more than 90 points"));
    assert!(refuse(TsneConfig { perplexity: f64::NAN, ..TsneConfig::default() }).contains("perplexity"));
    assert!(refuse(TsneConfig { perplexity: 5.0, theta: -1.0, ..TsneConfig::default() }).contains("theta"));
    assert!(refuse(TsneConfig { perplexity: 5.0, iterations: 0, ..TsneConfig::default() }).contains("iterations"));
    assert!(refuse(TsneConfig { perplexity: 5.0, learning_rate: Some(0.0), ..TsneConfig::default() }).contains("learning rate"));
    let mut bad = points.clone();
    bad[7] = f32::NAN;
    assert!(matches!(Tsne::new(&bad, 10, TsneConfig { perplexity: 5.0, ..TsneConfig::default() }), Err(Error::NonFinite(_))));
    assert!(Tsne::new(&points[..15], 10, TsneConfig::default()).is_err());
    assert!(neighbour_agreement(&points, 10, &labels[..10], 3).is_err());
    assert!(neighbour_agreement(&points, 10, &labels, 50).is_err());
}

#[test]
fn a_latent_map_lays_generated_codes_after_the_digits() {
    use flowae::map::LatentMap;
    let (points, labels) = simplex_blobs(20, 6);
    let flow: Vec<f32> = points[..50 * 10].to_vec();
    let prior = Rng::new(1).normals(30 * 10);
    let config = TsneConfig { perplexity: 10.0, iterations: 50, ..TsneConfig::default() };
    let mut map = LatentMap::new(&points, labels.clone(), 10, vec![("flow".into(), flow), ("prior".into(), prior)], config.clone()).unwrap();
    let placed: Vec<_> = map.overlays().iter().map(|o| (o.name.as_str(), o.start, o.count)).collect();
    assert_eq!(placed, [("flow", 200, 50), ("prior", 250, 30)]);
    assert_eq!(map.preview().len(), 2 * 280);
    // Flow codes copied from the first digits sit exactly where those digits sit in the preview.
    assert_eq!(map.preview()[..100], map.preview()[400..500]);
    assert!(map.code_agreement() > 0.99);
    assert!(map.run(50).unwrap());
    assert!(map.map_agreement().unwrap() > 0.5);
    assert_eq!(map.tsne().embedding().len(), 2 * 280);
    assert!(LatentMap::new(&points[..10], labels.clone(), 10, vec![], config.clone()).is_err(), "codes and labels must match");
    assert!(LatentMap::new(&points, labels, 10, vec![("wgan".into(), vec![f32::NAN; 10])], config).is_err(), "NaN codes are refused");
}
