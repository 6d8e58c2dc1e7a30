//! The 2-D lab natively: the same flow and WGAN-GP code on points of the plane. The flow fits
//! two moons close to a long run's likelihood in the page's first seconds of training; the
//! WGAN-GP spreads its samples over the eight Gaussians' modes; one network trains alone when
//! asked; the same settings give the same picture.

use burn::prelude::Device;
use crate::common;
use flowae::plane::{Plane, PlaneConfig, Trainee};
use flowae::plane_codes::PlaneRun;
use flowae::toy::Toy;

/// Units a request of the page asks for (it sizes them to ~0.1 s; a few hundred here).
const UNITS: usize = 200;

/// `units` units of `who` (a flow step, or a critic or generator step), `UNITS` at a time.
fn train(plane: &mut Plane, who: Trainee, units: usize) {
    let mut done = 0;
    while done < units {
        let progress = pollster::block_on(plane.train(who, UNITS.min(units - done))).unwrap();
        let did = progress.flow.iter().chain(&progress.wgan).map(|p| p.units).max().unwrap_or(0);
        assert!(did > 0, "{who:?} did nothing");
        done += did;
    }
}

/// The held-out NLL (nats per point) of the default flow on two moons after a long run,
/// measured here by `cargo test --release --test it reference_two_moons -- --ignored
/// --nocapture`: 2.036, 1.991, 1.995, 1.995, 1.995, 1.986 after every 4,000 steps to 24,000
/// (the run's end is 25,000).
const REFERENCE_NLL: f32 = 1.99;

#[test]
#[ignore = "a long run, to measure REFERENCE_NLL"]
fn reference_two_moons() {
    let mut plane = Plane::new(PlaneConfig::default(), &Device::flex()).unwrap();
    for round in 1..=6 {
        train(&mut plane, Trainee::Flow, 4_000);
        eprintln!("{} steps: {:.3} nats/point", round * 4_000, pollster::block_on(plane.held_out_nll()).unwrap());
    }
}

/// The page's first 10 s of training on this machine's CPU backend are about 1,100 flow steps
/// (tests/browser/plane.test.mjs measures it in Chromium); after as many the flow is within
/// 0.3 nats of the long run.
#[test]
fn the_flow_fits_two_moons_within_a_third_of_a_nat_of_a_long_run() {
    let mut plane = Plane::new(PlaneConfig::default(), &Device::flex()).unwrap();
    let before = pollster::block_on(plane.held_out_nll()).unwrap();
    train(&mut plane, Trainee::Flow, 1_100);
    let after = pollster::block_on(plane.held_out_nll()).unwrap();
    eprintln!("two moons: {before:.3} → {after:.3} nats/point (long run {REFERENCE_NLL})");
    assert!(before > REFERENCE_NLL + 0.6, "the untrained flow is far off: {before}");
    assert!(after < REFERENCE_NLL + 0.3, "{after}");
}

/// The share of `samples` within 0.5 of one of the eight modes, and how many modes hold at
/// least 3% of them.
fn on_modes(samples: &[f32]) -> (f64, usize) {
    let n = samples.len() / 2;
    let mut per_mode = [0usize; 8];
    for p in samples.chunks(2) {
        if let Some(k) = Toy::eight_modes().iter().position(|(x, y)| (p[0] - x).hypot(p[1] - y) < 0.5) {
            per_mode[k] += 1;
        }
    }
    (per_mode.iter().sum::<usize>() as f64 / n as f64, per_mode.iter().filter(|&&c| c as f64 >= 0.03 * n as f64).count())
}

/// The bar: at least 6 of the 8 modes covered, each by 3% of the samples or more; and,
/// since a blob spread over the whole circle would touch them all, at least half the samples
/// on a mode (within 0.5 of its centre; the data's own points lie within 0.3).
#[test]
fn the_wgan_covers_the_eight_gaussians() {
    let config = PlaneConfig { data: Toy::EightGaussians, ..PlaneConfig::default() };
    let mut plane = Plane::new(config, &Device::flex()).unwrap();
    let picture = |plane: &Plane| pollster::block_on(plane.picture(8, 2000, 9)).unwrap();
    let (start, _) = on_modes(&picture(&plane).wgan_samples);
    train(&mut plane, Trainee::Wgan, 30_000);
    let (share, covered) = on_modes(&picture(&plane).wgan_samples);
    eprintln!("eight Gaussians: {:.0}% of the samples on a mode (untrained {:.0}%), {covered} modes covered", 100.0 * share, 100.0 * start);
    assert!(covered >= 6, "{covered} modes");
    assert!(share >= 0.5, "{share} of the samples on a mode (untrained: {start})");
}

/// One network alone: the critic's steps move only the critic's weights, the generator's only
/// the generator's; the flow's button leaves the pair alone. (The generator's BatchNorm running
/// statistics follow the batches of fakes the critic is shown, as in the paper's alternation:
/// its samples shift a little under critic steps, its weights do not.)
#[test]
fn each_network_trains_alone_when_asked() {
    let mut plane = Plane::new(PlaneConfig { points: 400, ..PlaneConfig::default() }, &Device::flex()).unwrap();
    let picture = |plane: &Plane| pollster::block_on(plane.picture(16, 200, 3)).unwrap();
    let weights = |plane: &Plane, part: &str| -> Vec<Vec<f32>> {
        let all = pollster::block_on(plane.wgan().weights("wgan")).unwrap().unwrap();
        all.into_iter().filter(|t| t.name.contains(part) && !t.name.contains("running")).map(|t| t.values).collect()
    };
    let start = picture(&plane);
    let generator_start = weights(&plane, "generator");
    train(&mut plane, Trainee::Critic, 20);
    let critic = picture(&plane);
    assert_eq!(weights(&plane, "generator"), generator_start, "the generator's weights did not move");
    assert_ne!(critic.critic, start.critic, "the critic did");
    assert_eq!(critic.log_density, start.log_density, "nor did the flow");
    let critic_weights = weights(&plane, "critic");
    train(&mut plane, Trainee::Generator, 20);
    let generator = picture(&plane);
    assert_eq!(weights(&plane, "critic"), critic_weights, "the critic's weights did not move");
    assert_eq!(generator.critic, critic.critic, "nor its values");
    assert_ne!(generator.wgan_samples, critic.wgan_samples, "the generator did");
    train(&mut plane, Trainee::Flow, 20);
    let flow = picture(&plane);
    assert_ne!(flow.log_density, generator.log_density);
    assert_eq!((flow.critic.clone(), flow.wgan_samples.clone()), (generator.critic.clone(), generator.wgan_samples.clone()));
    assert_eq!((flow.grid, flow.log_density.len(), flow.real.len()), (16, 256, 400));
    // Same settings, same picture.
    let mut again = Plane::new(PlaneConfig { points: 400, ..PlaneConfig::default() }, &Device::flex()).unwrap();
    for who in [Trainee::Critic, Trainee::Generator, Trainee::Flow] {
        train(&mut again, who, 20);
    }
    assert_eq!(picture(&again), flow);
}

#[test]
fn bad_settings_are_refused() {
    let refused = |config: PlaneConfig| Plane::new(config, &Device::flex()).err().expect("refused").to_string();
    assert!(refused(PlaneConfig { points: 10, ..PlaneConfig::default() }).contains("points"));
    let mut config = PlaneConfig::default();
    config.flow.learning_rate = -1.0;
    assert!(refused(config).contains("learning rate"));
    let plane = Plane::new(PlaneConfig::default(), &Device::flex()).unwrap();
    assert!(pollster::block_on(plane.picture(1, 10, 1)).is_err());
}

/// MNIST in two dimensions: the 2-D autoencoder trains first (the page's autoencoder and
/// trainer, latent 2), then its codes are the plane's points, each with its digit, and the flow
/// and the WGAN-GP train on them. The codes sort the digits (a point's nearest neighbours on
/// the plane mostly share its digit), and the flow learns their density.
#[test]
fn mnist_codes_in_two_dimensions() {
    let config = PlaneConfig { data: Toy::Digits, points: 2_000, ..PlaneConfig::default() };
    let refused = PlaneRun::new(config.clone(), None, &Device::flex()).err().expect("no digits, no run");
    assert!(refused.to_string().contains("MNIST is not loaded"), "{refused}");
    let (train, test) = common::mnist();
    let device = Device::flex();
    let mut run = PlaneRun::new(config, Some((&train, &test)), &device).unwrap();
    let encoding = pollster::block_on(run.picture(32, 300, 1)).unwrap();
    assert_eq!((encoding.grid, encoding.real.len(), encoding.labels.len()), (0, 600, 300), "the codes alone while it trains");
    assert!(pollster::block_on(run.held_out_nll()).unwrap().is_none());
    let mut autoencoder_units = 0;
    while run.plane().is_none() {
        let progress = pollster::block_on(run.train(Trainee::All, 200, &device)).unwrap();
        let units = progress.autoencoder.expect("the autoencoder trains first").units;
        assert!(units > 0);
        autoencoder_units += units;
    }
    assert!(autoencoder_units >= 2 * 10_000 / 100, "two epochs of 10,000 digits: {autoencoder_units} units");
    let picture = pollster::block_on(run.picture(16, 2_000, 1)).unwrap();
    assert_eq!(picture.labels, train.labels()[..2_000].to_vec(), "each point is a training digit's code");
    assert!(picture.real.iter().all(|v| v.abs() <= flowae::toy::EXTENT));
    // Nearest neighbours on the plane share their digit far above chance (10%).
    let agree = (0..2_000)
        .filter(|&i| {
            let p = &picture.real[2 * i..2 * i + 2];
            let nearest = (0..2_000).filter(|&j| j != i).min_by(|&a, &b| {
                let d = |j: usize| (picture.real[2 * j] - p[0]).powi(2) + (picture.real[2 * j + 1] - p[1]).powi(2);
                d(a).total_cmp(&d(b))
            });
            nearest.is_some_and(|j| picture.labels[j] == picture.labels[i])
        })
        .count();
    eprintln!("MNIST in 2-D: {autoencoder_units} autoencoder units; a code's nearest neighbour shares its digit for {agree} of 2,000");
    // Measured: 959 (48%) after the lab's 2 epochs; 1,046 after 4. Chance is about 10%.
    assert!(agree > 600, "{agree} of 2,000: no more than three times chance");
    // The flow learns more than the codes' mean and spread: after 1,000 steps its held-out NLL
    // is below the best Gaussian's (fitted to the training codes, full covariance).
    let plane = run.plane().unwrap();
    let gaussian = gaussian_nll(plane.flow().codes().train(), plane.flow().codes().test());
    let before = pollster::block_on(run.held_out_nll()).unwrap().unwrap();
    for _ in 0..10 {
        pollster::block_on(run.train(Trainee::Flow, 100, &device)).unwrap();
    }
    let after = pollster::block_on(run.held_out_nll()).unwrap().unwrap();
    eprintln!("MNIST in 2-D: the flow's held-out NLL {before:.3} → {after:.3} nats/point after 1,000 steps; the best Gaussian's {gaussian:.3}");
    assert!(after < gaussian, "{before} → {after}, Gaussian {gaussian}");
}

/// The held-out NLL (nats per point) of the Gaussian with `train`'s mean and covariance.
fn gaussian_nll(train: &[f32], test: &[f32]) -> f32 {
    let n = (train.len() / 2) as f32;
    let mean = |axis: usize| train.iter().skip(axis).step_by(2).sum::<f32>() / n;
    let (mx, my) = (mean(0), mean(1));
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for p in train.chunks(2) {
        let (dx, dy) = (p[0] - mx, p[1] - my);
        sxx += dx * dx / n;
        syy += dy * dy / n;
        sxy += dx * dy / n;
    }
    let det = sxx * syy - sxy * sxy;
    let nll: f32 = test
        .chunks(2)
        .map(|p| {
            let (dx, dy) = (p[0] - mx, p[1] - my);
            let mahalanobis = (syy * dx * dx - 2.0 * sxy * dx * dy + sxx * dy * dy) / det;
            0.5 * mahalanobis + 0.5 * det.ln() + (2.0 * std::f32::consts::PI).ln()
        })
        .sum();
    nll / (test.len() / 2) as f32
}
